"""Batch and layer normalization compiled with Numba: the same functions as reference.py.

Each kernel is the formula written one element at a time and compiled by `@njit`. The
statistics are two passes over the data (the mean, then the mean squared deviation), the
same as NumPy's var. Layer normalization is batch normalization along the other axis, so
the layernorm kernels run the batchnorm ones on x's transpose.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _column_stats(x, mean, var):
    """mean[j] = (1/N) sum_i x[i, j]; var[j] = (1/N) sum_i (x[i, j] - mean[j])^2."""
    n, d = x.shape
    for j in range(d):
        mean[j] = 0.0
        var[j] = 0.0
    for i in range(n):  # i outside, j inside: rows of x are read contiguously
        for j in range(d):
            mean[j] += x[i, j]
    for j in range(d):
        mean[j] /= n
    for i in range(n):
        for j in range(d):
            c = x[i, j] - mean[j]
            var[j] += c * c
    for j in range(d):
        var[j] /= n


@njit(cache=True)
def _normalize(x, mean, var, eps, x_hat):
    """x_hat[i, j] = (x[i, j] - mean[j]) / sqrt(var[j] + eps)."""
    n, d = x.shape
    inv_std = np.empty(d)
    for j in range(d):
        inv_std[j] = 1.0 / math.sqrt(var[j] + eps)
    for i in range(n):
        for j in range(d):
            x_hat[i, j] = (x[i, j] - mean[j]) * inv_std[j]


@njit(cache=True)
def _backward_columns(dxh, x_hat, var, eps, dx):
    """Per column: dx = (1/N) / sqrt(var + eps) * (N dxh - sum(dxh) - x_hat sum(dxh x_hat))."""
    n, d = x_hat.shape
    s1 = np.zeros(d)
    s2 = np.zeros(d)
    for i in range(n):
        for j in range(d):
            s1[j] += dxh[i, j]
            s2[j] += dxh[i, j] * x_hat[i, j]
    scale = np.empty(d)
    for j in range(d):
        scale[j] = 1.0 / (n * math.sqrt(var[j] + eps))
    for i in range(n):
        for j in range(d):
            dx[i, j] = scale[j] * (n * dxh[i, j] - s1[j] - x_hat[i, j] * s2[j])


@njit(cache=True)
def _param_grads(dout, x_hat, dgamma, dbeta):
    """dgamma[j] = sum_i dout[i, j] x_hat[i, j]; dbeta[j] = sum_i dout[i, j]."""
    n, d = dout.shape
    for j in range(d):
        dgamma[j] = 0.0
        dbeta[j] = 0.0
    for i in range(n):
        for j in range(d):
            dgamma[j] += dout[i, j] * x_hat[i, j]
            dbeta[j] += dout[i, j]


@njit(cache=True)
def _scale_shift(x_hat, gamma, beta, out):
    """out[i, j] = gamma[j] x_hat[i, j] + beta[j]."""
    n, d = x_hat.shape
    for i in range(n):
        for j in range(d):
            out[i, j] = gamma[j] * x_hat[i, j] + beta[j]


@njit(cache=True)
def _blend(old, new, momentum, out):
    """out = momentum * old + (1 - momentum) * new."""
    for j in range(old.size):
        out[j] = momentum * old[j] + (1.0 - momentum) * new[j]


@njit(cache=True)
def _row_stats(x, i):
    """Mean and biased variance of row i."""
    d = x.shape[1]
    mean = 0.0
    for j in range(d):
        mean += x[i, j]
    mean /= d
    var = 0.0
    for j in range(d):
        c = x[i, j] - mean
        var += c * c
    return mean, var / d


@njit(cache=True)
def _layernorm(x, gamma, beta, eps, out):
    """Per row: out = gamma * (x - mean) / sqrt(var + eps) + beta."""
    n, d = x.shape
    for i in range(n):
        mean, var = _row_stats(x, i)
        inv_std = 1.0 / math.sqrt(var + eps)
        for j in range(d):
            out[i, j] = gamma[j] * ((x[i, j] - mean) * inv_std) + beta[j]


@njit(cache=True)
def _layernorm_backward(dout, x, gamma, eps, dx, dgamma, dbeta):
    """Per row: dx = (1/D) / sqrt(var + eps) * (D dxh - sum(dxh) - x_hat sum(dxh x_hat)),
    dxh = gamma * dout; dgamma and dbeta sum over the rows."""
    n, d = x.shape
    x_hat = np.empty(d)
    for j in range(d):
        dgamma[j] = 0.0
        dbeta[j] = 0.0
    for i in range(n):
        mean, var = _row_stats(x, i)
        inv_std = 1.0 / math.sqrt(var + eps)
        s1 = 0.0
        s2 = 0.0
        for j in range(d):
            x_hat[j] = (x[i, j] - mean) * inv_std
            dxh = gamma[j] * dout[i, j]
            s1 += dxh
            s2 += dxh * x_hat[j]
            dgamma[j] += dout[i, j] * x_hat[j]
            dbeta[j] += dout[i, j]
        for j in range(d):
            dx[i, j] = inv_std / d * (d * gamma[j] * dout[i, j] - s1 - x_hat[j] * s2)


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _stats(x):
    """Column means and biased variances of a C-contiguous float64 (N, D) array."""
    mean, var = np.empty(x.shape[1]), np.empty(x.shape[1])
    _column_stats(x, mean, var)
    return mean, var


def _x_hat(x, eps):
    """x normalized down its columns, and the column variances."""
    mean, var = _stats(x)
    x_hat = np.empty(x.shape)
    _normalize(x, mean, var, float(eps), x_hat)
    return x_hat, var


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per column."""
    x_hat, _ = _x_hat(_f64(x), eps)
    out = np.empty(x_hat.shape)
    _scale_shift(x_hat, _f64(gamma), _f64(beta), out)
    return out


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    """dx = (1/N) / sqrt(var + eps) * (N dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    dx_hat = gamma * dout; dgamma and dbeta sum over the batch."""
    dout = _f64(dout)
    x_hat, var = _x_hat(_f64(x), eps)
    dgamma, dbeta = np.empty(x_hat.shape[1]), np.empty(x_hat.shape[1])
    _param_grads(dout, x_hat, dgamma, dbeta)
    dx = np.empty(x_hat.shape)
    _backward_columns(dout * _f64(gamma), x_hat, var, float(eps), dx)
    return dx, dgamma, dbeta


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    """new = momentum * old + (1 - momentum) * batch statistic (mean, biased variance)."""
    mean, var = _stats(_f64(x))
    mean_new, var_new = np.empty(mean.shape), np.empty(var.shape)
    _blend(_f64(running_mean), mean, float(momentum), mean_new)
    _blend(_f64(running_var), var, float(momentum), var_new)
    return mean_new, var_new


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per row."""
    x = _f64(x)
    out = np.empty(x.shape)
    _layernorm(x, _f64(gamma), _f64(beta), float(eps), out)
    return out


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    """batchnorm's dx along each row (count D); dgamma and dbeta still sum over the batch."""
    x = _f64(x)
    dx = np.empty(x.shape)
    dgamma, dbeta = np.empty(x.shape[1]), np.empty(x.shape[1])
    _layernorm_backward(_f64(dout), x, _f64(gamma), float(eps), dx, dgamma, dbeta)
    return dx, dgamma, dbeta
