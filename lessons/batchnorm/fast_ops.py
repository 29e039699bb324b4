"""Batch and layer normalization compiled with Numba: the same functions as reference.py.

Both are a few passes over x: the mean, the mean squared deviation (two passes, as NumPy's
var takes them: one pass of Σx and Σx² would cancel badly), then the output. NumPy makes
each pass a whole-array operation with a temporary array, so x streams from memory again
and again; these kernels work on a block of x small enough to stay in the CPU's cache for
all its passes, each block in a thread of its own (`prange`).

Batch normalization's statistics are per column, so its blocks are `COLUMNS` columns wide
and hold every row, visited a contiguous stretch at a time (a 1-D view: Numba then knows
its elements are adjacent, and vectorizes the loop). Layer normalization's are per row, so
its blocks are rows; the sums over the batch that dgamma and dbeta need are split into
`PARTS` shares of the rows, each with partial sums of its own that are added at the end,
so that no two threads ever write the same number.
"""

import math

import numpy as np
from numba import njit, prange
from tutor_lessons.jitmath import ANY_ORDER

COLUMNS = 64  # per block: 512 bytes of each row, 256 KiB for 512 rows
PARTS = 8  # layernorm_backward's shares of the rows, each with its own dgamma and dbeta


@njit(cache=True, error_model="numpy")
def _column_stats(x, j0, j1, mean, var):
    """For the columns j0 <= j < j1: mean[j] = (1/N) Σ_i x[i, j] and
    var[j] = (1/N) Σ_i (x[i, j] − mean[j])². Row by row, each row's stretch a contiguous
    view: the inner loop then adds to all the block's sums at once, in vector registers."""
    n = x.shape[0]
    m, v = mean[j0:j1], var[j0:j1]
    m[:] = 0.0
    v[:] = 0.0
    for i in range(n):
        row = x[i, j0:j1]
        for j in range(m.size):
            m[j] += row[j]
    m /= n
    for i in range(n):
        row = x[i, j0:j1]
        for j in range(m.size):
            v[j] += (row[j] - m[j]) * (row[j] - m[j])
    v /= n


@njit(cache=True, parallel=True, error_model="numpy")
def _batchnorm(x, gamma, beta, eps, out, mean, inv_std):
    """out = gamma x_hat + beta, x_hat = (x − mean) inv_std, statistics per column."""
    d = x.shape[1]
    for block in prange((d + COLUMNS - 1) // COLUMNS):
        j0, j1 = block * COLUMNS, min(d, (block + 1) * COLUMNS)
        _column_stats(x, j0, j1, mean, inv_std)
        m, s, g, b = mean[j0:j1], inv_std[j0:j1], gamma[j0:j1], beta[j0:j1]
        for j in range(s.size):
            s[j] = 1.0 / math.sqrt(s[j] + eps)  # from the variance, in place
        for i in range(x.shape[0]):
            row, out_row = x[i, j0:j1], out[i, j0:j1]
            for j in range(s.size):
                out_row[j] = g[j] * ((row[j] - m[j]) * s[j]) + b[j]


@njit(cache=True, parallel=True, error_model="numpy")
def _batchnorm_backward(dout, x, gamma, eps, dx, dgamma, dbeta, mean, inv_std):
    """dbeta = Σ_i dout, dgamma = Σ_i dout x_hat, and per column
    dx = gamma inv_std / N (N dout − dbeta − x_hat dgamma)."""
    n, d = x.shape
    for block in prange((d + COLUMNS - 1) // COLUMNS):
        j0, j1 = block * COLUMNS, min(d, (block + 1) * COLUMNS)
        _column_stats(x, j0, j1, mean, inv_std)
        m, s, g = mean[j0:j1], inv_std[j0:j1], gamma[j0:j1]
        dg, db = dgamma[j0:j1], dbeta[j0:j1]
        for j in range(s.size):
            s[j] = 1.0 / math.sqrt(s[j] + eps)
        dg[:] = 0.0
        db[:] = 0.0
        for i in range(n):
            row, grad = x[i, j0:j1], dout[i, j0:j1]
            for j in range(s.size):
                db[j] += grad[j]
                dg[j] += grad[j] * (row[j] - m[j]) * s[j]
        for i in range(n):
            row, grad, dx_row = x[i, j0:j1], dout[i, j0:j1], dx[i, j0:j1]
            for j in range(s.size):
                x_hat = (row[j] - m[j]) * s[j]
                dx_row[j] = g[j] * s[j] / n * (n * grad[j] - db[j] - x_hat * dg[j])


@njit(cache=True, parallel=True, error_model="numpy")
def _running_stats(x, running_mean, running_var, momentum, mean_new, var_new):
    """new = momentum · old + (1 − momentum) · the batch's statistic, per column."""
    d = x.shape[1]
    for block in prange((d + COLUMNS - 1) // COLUMNS):
        j0, j1 = block * COLUMNS, min(d, (block + 1) * COLUMNS)
        _column_stats(x, j0, j1, mean_new, var_new)
        for j in range(j0, j1):
            mean_new[j] = momentum * running_mean[j] + (1.0 - momentum) * mean_new[j]
            var_new[j] = momentum * running_var[j] + (1.0 - momentum) * var_new[j]


@njit(cache=True, error_model="numpy", fastmath=ANY_ORDER)
def _row_stats(row, eps):
    """(mean, 1 / sqrt(var + eps)) of one row, two passes. (Loops over indices: Numba
    vectorizes them, and not `for v in row`.)"""
    mean = 0.0
    for j in range(row.size):
        mean += row[j]
    mean /= row.size
    var = 0.0
    for j in range(row.size):
        var += (row[j] - mean) * (row[j] - mean)
    return mean, 1.0 / math.sqrt(var / row.size + eps)


@njit(cache=True, parallel=True, error_model="numpy")
def _layernorm(x, gamma, beta, eps, out):
    """Per row: out = gamma (x − mean) inv_std + beta."""
    for i in prange(x.shape[0]):
        row, out_row = x[i], out[i]
        mean, inv_std = _row_stats(row, eps)
        for j in range(row.size):
            out_row[j] = gamma[j] * ((row[j] - mean) * inv_std) + beta[j]


@njit(cache=True, parallel=True, error_model="numpy", fastmath=ANY_ORDER)
def _layernorm_backward(dout, x, gamma, eps, dx, dgamma_parts, dbeta_parts):
    """Per row, with dxh = gamma dout: dx = inv_std / D (D dxh − Σ dxh − x_hat Σ dxh x_hat);
    task k adds its rows' dout x_hat and dout into dgamma_parts[k] and dbeta_parts[k]."""
    n, d = x.shape
    tasks = dgamma_parts.shape[0]
    for k in prange(tasks):
        dg, db = dgamma_parts[k], dbeta_parts[k]
        dg[:] = 0.0
        db[:] = 0.0
        for i in range(k * n // tasks, (k + 1) * n // tasks):
            row, grad, dx_row = x[i], dout[i], dx[i]
            mean, inv_std = _row_stats(row, eps)
            s1 = 0.0
            s2 = 0.0
            for j in range(d):
                x_hat = (row[j] - mean) * inv_std
                s1 += gamma[j] * grad[j]
                s2 += gamma[j] * grad[j] * x_hat
                dg[j] += grad[j] * x_hat
                db[j] += grad[j]
            for j in range(d):
                x_hat = (row[j] - mean) * inv_std
                dx_row[j] = inv_std / d * (d * gamma[j] * grad[j] - s1 - x_hat * s2)


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per column."""
    x = _f64(x)
    out, mean, inv_std = np.empty(x.shape), np.empty(x.shape[1]), np.empty(x.shape[1])
    _batchnorm(x, _f64(gamma), _f64(beta), float(eps), out, mean, inv_std)
    return out


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    """dx = (1/N) / sqrt(var + eps) * (N dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    dx_hat = gamma * dout; dgamma and dbeta sum over the batch."""
    x = _f64(x)
    d = x.shape[1]
    dx, dgamma, dbeta = np.empty(x.shape), np.empty(d), np.empty(d)
    _batchnorm_backward(_f64(dout), x, _f64(gamma), float(eps), dx, dgamma, dbeta,
                        np.empty(d), np.empty(d))
    return dx, dgamma, dbeta


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    """new = momentum * old + (1 - momentum) * batch statistic (mean, biased variance)."""
    x = _f64(x)
    mean_new, var_new = np.empty(x.shape[1]), np.empty(x.shape[1])
    _running_stats(x, _f64(running_mean), _f64(running_var), float(momentum), mean_new,
                   var_new)
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
    tasks = max(1, min(x.shape[0], PARTS))
    dx = np.empty(x.shape)
    dgamma_parts, dbeta_parts = np.empty((tasks, x.shape[1])), np.empty((tasks, x.shape[1]))
    _layernorm_backward(_f64(dout), x, _f64(gamma), float(eps), dx, dgamma_parts,
                        dbeta_parts)
    return dx, dgamma_parts.sum(axis=0), dbeta_parts.sum(axis=0)
