"""The reference kernels (numba-cuda): a solution of kernels.py, written the way a learner
would write it. `tutor dev check` grades this file like a learner's, and the lesson's
mutants are wrong versions of it.

One thread per output element for the elementwise kernels (x is the column, y the row, so
that neighbouring threads of a warp touch neighbouring addresses); one block per row for the
row reductions, which reduce in shared memory with a tree of halving strides; and 16 x 16
tiles of both operands staged in shared memory for the matrix product.
"""

import math

import numpy as np
from numba import cuda

THREADS = 128  # threads per block of the one-dimensional launches
TILE = 16  # the matrix product's tiles are TILE x TILE


@cuda.jit
def relu_kernel(x, out):
    """out[i] = max(x[i], 0): one thread per element."""
    i = cuda.grid(1)
    if i < x.size:
        v = x[i]  # one read, kept in a register
        out[i] = v if v > 0.0 else 0.0


@cuda.jit
def add_bias_kernel(x, b, out):
    """out[i, j] = x[i, j] + b[j]: thread (x, y) of the grid computes column x of row y."""
    col, row = cuda.grid(2)
    if row < x.shape[0] and col < x.shape[1]:
        out[row, col] = x[row, col] + b[col]


@cuda.jit
def row_sum_kernel(x, out):
    """out[i] = sum of row i: block i, each thread summing a strided slice of the row, then
    a tree reduction of the 128 partial sums in shared memory."""
    partial = cuda.shared.array(THREADS, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    acc = 0.0
    for j in range(tid, x.shape[1], THREADS):
        acc += x[row, j]
    partial[tid] = acc
    cuda.syncthreads()
    stride = THREADS // 2
    while stride > 0:
        if tid < stride:
            partial[tid] += partial[tid + stride]
        cuda.syncthreads()  # outside the if: every thread reaches it
        stride //= 2
    if tid == 0:
        out[row] = partial[0]


@cuda.jit
def row_softmax_kernel(x, out):
    """out[i] = softmax of row i, stable: the row's maximum, then the sum of exp(x - max),
    each a block reduction, then each element exp(x - max) / sum."""
    scratch = cuda.shared.array(THREADS, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    n = x.shape[1]
    top = -math.inf
    for j in range(tid, n, THREADS):
        top = max(top, x[row, j])
    scratch[tid] = top
    cuda.syncthreads()
    stride = THREADS // 2
    while stride > 0:
        if tid < stride:
            scratch[tid] = max(scratch[tid], scratch[tid + stride])
        cuda.syncthreads()
        stride //= 2
    top = scratch[0]
    cuda.syncthreads()  # every thread has read the maximum before scratch is reused
    total = 0.0
    for j in range(tid, n, THREADS):
        total += math.exp(x[row, j] - top)
    scratch[tid] = total
    cuda.syncthreads()
    stride = THREADS // 2
    while stride > 0:
        if tid < stride:
            scratch[tid] += scratch[tid + stride]
        cuda.syncthreads()
        stride //= 2
    total = scratch[0]
    for j in range(tid, n, THREADS):
        out[row, j] = math.exp(x[row, j] - top) / total


@cuda.jit
def matmul_tiled_kernel(a, b, out):
    """out = a @ b: thread (tx, ty) of block (bx, by) computes out[by*16 + ty, bx*16 + tx],
    walking along K one 16 x 16 tile of a and of b at a time, each element of a tile loaded
    once by one thread and read 16 times from shared memory."""
    a_tile = cuda.shared.array((TILE, TILE), np.float64)
    b_tile = cuda.shared.array((TILE, TILE), np.float64)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    m, k = a.shape
    n = b.shape[1]
    acc = 0.0
    for t in range(0, k, TILE):
        a_tile[ty, tx] = a[row, t + tx] if row < m and t + tx < k else 0.0
        b_tile[ty, tx] = b[t + ty, col] if t + ty < k and col < n else 0.0
        cuda.syncthreads()  # the tiles are full
        for i in range(TILE):
            acc += a_tile[ty, i] * b_tile[i, tx]
        cuda.syncthreads()  # every thread is done with them before the next tiles load
    if row < m and col < n:
        out[row, col] = acc
