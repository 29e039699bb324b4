"""Reference solutions for the batchnorm lesson, in plain NumPy.

Batch normalization standardizes each feature (column) over the batch; layer normalization
standardizes each example (row) over its features. Both use the biased variance (divide by
the number of values averaged) and put eps inside the square root.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per column."""
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # biased: divides by N
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    """dx = (1/N) * gamma / sqrt(var + eps) * (N dout - sum(dout) - x_hat * sum(dout * x_hat)),
    dgamma = sum over the batch of dout * x_hat, dbeta = sum over the batch of dout."""
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    # with dx_hat = gamma * dout, the sums of dx_hat and dx_hat * x_hat are gamma * dbeta and
    # gamma * dgamma: the closed form of the lesson's page 4
    dx = gamma * inv_std / n * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    """new = momentum * old + (1 - momentum) * batch statistic (mean, biased variance)."""
    mean_new = momentum * running_mean + (1.0 - momentum) * x.mean(axis=0)
    var_new = momentum * running_var + (1.0 - momentum) * x.var(axis=0)
    return mean_new, var_new


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per row."""
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)  # biased: divides by D
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    """The batchnorm closed form along each row: with dx_hat = gamma * dout,
    dx = (1/D) / sqrt(var + eps) * (D dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat));
    gamma and beta are still shared by every row, so their gradients sum over the batch."""
    d = x.shape[1]
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = gamma * dout
    dx = inv_std / d * (d * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, dgamma, dbeta
