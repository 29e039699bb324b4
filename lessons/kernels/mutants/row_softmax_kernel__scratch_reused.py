"""One shared array for both reductions, with no barrier between reading the maximum and
overwriting it with the partial sums: thread 0 overwrites scratch[0] while others read it."""

import math

import numpy as np
from numba import cuda

EXERCISE = "row_softmax_kernel"
DIAGNOSIS = "missing-barrier"


@cuda.jit
def row_softmax_kernel(x, out):
    scratch = cuda.shared.array(128, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    n = x.shape[1]
    top = -math.inf
    for j in range(tid, n, 128):
        top = max(top, x[row, j])
    scratch[tid] = top
    cuda.syncthreads()
    stride = 64
    while stride > 0:
        if tid < stride:
            scratch[tid] = max(scratch[tid], scratch[tid + stride])
        cuda.syncthreads()
        stride //= 2
    top = scratch[0]
    total = 0.0
    for j in range(tid, n, 128):
        total += math.exp(x[row, j] - top)
    scratch[tid] = total
    cuda.syncthreads()
    stride = 64
    while stride > 0:
        if tid < stride:
            scratch[tid] += scratch[tid + stride]
        cuda.syncthreads()
        stride //= 2
    total = scratch[0]
    for j in range(tid, n, 128):
        out[row, j] = math.exp(x[row, j] - top) / total
