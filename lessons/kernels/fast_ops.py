"""The kernels' computations compiled for the CPU with Numba: the same signatures as
reference.py (each writes `out`), one loop nest per kernel in the order a CPU likes:
along rows, so that consecutive iterations touch consecutive addresses."""

import math

from numba import njit, prange


@njit(cache=True, parallel=True)
def relu_kernel(x, out):
    """out = max(x, 0)."""
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0.0 else 0.0


@njit(cache=True, parallel=True)
def add_bias_kernel(x, b, out):
    """out = x + b."""
    m, n = x.shape
    for i in prange(m):
        for j in range(n):
            out[i, j] = x[i, j] + b[j]


@njit(cache=True, parallel=True)
def row_sum_kernel(x, out):
    """out[i] = sum of row i."""
    m, n = x.shape
    for i in prange(m):
        acc = 0.0
        for j in range(n):
            acc += x[i, j]
        out[i] = acc


@njit(cache=True, parallel=True)
def row_softmax_kernel(x, out):
    """out[i] = softmax of row i, shifted by the row's maximum."""
    m, n = x.shape
    for i in prange(m):
        top = -math.inf
        for j in range(n):
            top = max(top, x[i, j])
        total = 0.0
        for j in range(n):
            e = math.exp(x[i, j] - top)
            out[i, j] = e
            total += e
        for j in range(n):
            out[i, j] /= total


@njit(cache=True, parallel=True)
def matmul_tiled_kernel(a, b, out):
    """out = a @ b, row by row (i, k, j order: the inner loop runs along rows of b)."""
    m, k = a.shape
    n = b.shape[1]
    for i in prange(m):
        for j in range(n):
            out[i, j] = 0.0
        for p in range(k):
            aip = a[i, p]
            for j in range(n):
                out[i, j] += aip * b[p, j]
