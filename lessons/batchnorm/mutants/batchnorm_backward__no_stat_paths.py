"""Treats the batch mean and variance as constants: dx = gamma * dout / std."""

import numpy as np

EXERCISE = "batchnorm_backward"
DIAGNOSIS = "dx-no-stat-paths"


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    return gamma * dout / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
