"""The closed form without its leading 1/N."""

import numpy as np

EXERCISE = "batchnorm_backward"
DIAGNOSIS = "scaled-by-n"


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dx_hat = gamma * dout
    dx = inv_std * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
