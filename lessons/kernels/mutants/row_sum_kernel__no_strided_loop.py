"""Each thread adds only element tid: rows longer than the block lose everything past 128."""

import numpy as np
from numba import cuda

EXERCISE = "row_sum_kernel"
DIAGNOSIS = "no-strided-loop"


@cuda.jit
def row_sum_kernel(x, out):
    partial = cuda.shared.array(128, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    partial[tid] = x[row, tid] if tid < x.shape[1] else 0.0
    cuda.syncthreads()
    stride = 64
    while stride > 0:
        if tid < stride:
            partial[tid] += partial[tid + stride]
        cuda.syncthreads()
        stride //= 2
    if tid == 0:
        out[row] = partial[0]
