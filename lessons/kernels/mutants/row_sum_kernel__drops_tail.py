"""The tree halves from N // 2, fitted to N: for N not a power of two the odd element at
each level is never added."""

import numpy as np
from numba import cuda

EXERCISE = "row_sum_kernel"
DIAGNOSIS = "reduction-drops-tail"


@cuda.jit
def row_sum_kernel(x, out):
    partial = cuda.shared.array(128, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    acc = 0.0
    for j in range(tid, x.shape[1], 128):
        acc += x[row, j]
    partial[tid] = acc
    cuda.syncthreads()
    stride = min(x.shape[1], 128) // 2
    while stride > 0:
        if tid < stride:
            partial[tid] += partial[tid + stride]
        cuda.syncthreads()
        stride //= 2
    if tid == 0:
        out[row] = partial[0]
