"""Follows the gradient through the mean but not through the variance."""

import numpy as np

EXERCISE = "batchnorm_backward"
DIAGNOSIS = "dx-no-var-path"


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dx_hat = gamma * dout
    dx = (dx_hat - dx_hat.mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
