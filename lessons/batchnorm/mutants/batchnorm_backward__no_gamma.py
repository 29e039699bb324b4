"""Uses dout where the closed form needs dx_hat = gamma * dout."""

import numpy as np

EXERCISE = "batchnorm_backward"
DIAGNOSIS = "dx-no-gamma"


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = inv_std / n * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
