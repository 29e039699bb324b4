"""Sums dgamma and dbeta over the features (the normalization axis) instead of the batch."""

import numpy as np

EXERCISE = "layernorm_backward"
DIAGNOSIS = "ln-dparams-axis"


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    d = x.shape[1]
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) * inv_std
    dx_hat = gamma * dout
    dx = inv_std / d * (d * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)
