"""Normalizes with the unbiased variance (ddof=1), as torch.var does by default."""

import numpy as np

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "unbiased-var"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)
    return gamma * x_hat + beta
