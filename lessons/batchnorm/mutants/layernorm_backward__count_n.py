"""Copies batchnorm's closed form with the batch size N where the row length D belongs."""

import numpy as np

EXERCISE = "layernorm_backward"
DIAGNOSIS = "ln-count-n"


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) * inv_std
    dx_hat = gamma * dout
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
