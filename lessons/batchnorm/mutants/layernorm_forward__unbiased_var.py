"""Normalizes each row with its unbiased variance (ddof=1)."""

import numpy as np

EXERCISE = "layernorm_forward"
DIAGNOSIS = "unbiased-var"


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, ddof=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
