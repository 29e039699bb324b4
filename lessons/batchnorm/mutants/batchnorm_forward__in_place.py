"""Centres and scales x in place to save memory."""

import numpy as np

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "mutated-input"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    std = np.sqrt(x.var(axis=0) + eps)
    x -= x.mean(axis=0)
    x /= std
    return gamma * x + beta
