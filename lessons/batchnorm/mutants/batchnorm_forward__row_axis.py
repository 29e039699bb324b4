"""Takes the statistics along each row, as layer normalization does."""

import numpy as np

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "bn-wrong-axis"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
