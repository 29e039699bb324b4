"""Treats each row's mean and variance as constants: dx = gamma * dout / std."""

import numpy as np

EXERCISE = "layernorm_backward"
DIAGNOSIS = "dx-no-stat-paths"


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / std
    return gamma * dout / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
