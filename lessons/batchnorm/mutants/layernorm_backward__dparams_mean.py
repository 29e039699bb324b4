"""dgamma and dbeta average over the batch instead of summing."""

import numpy as np

EXERCISE = "layernorm_backward"
DIAGNOSIS = "divided-by-n"


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    d = x.shape[1]
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) * inv_std
    dx_hat = gamma * dout
    dx = inv_std / d * (d * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).mean(axis=0), dout.mean(axis=0)
