"""Hard-codes eps = 1e-5 instead of using the argument."""

import numpy as np

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "eps-ignored"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
    return gamma * x_hat + beta
