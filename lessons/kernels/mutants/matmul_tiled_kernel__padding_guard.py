"""The padding guard of the tile of a lets t + tx == K through."""

import numpy as np
from numba import cuda

EXERCISE = "matmul_tiled_kernel"
DIAGNOSIS = "out-of-bounds"


@cuda.jit
def matmul_tiled_kernel(a, b, out):
    a_tile = cuda.shared.array((16, 16), np.float64)
    b_tile = cuda.shared.array((16, 16), np.float64)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row = cuda.blockIdx.y * 16 + ty
    col = cuda.blockIdx.x * 16 + tx
    m, k = a.shape
    n = b.shape[1]
    acc = 0.0
    for t in range(0, k, 16):
        a_tile[ty, tx] = a[row, t + tx] if row < m and t + tx <= k else 0.0
        b_tile[ty, tx] = b[t + ty, col] if t + ty < k and col < n else 0.0
        cuda.syncthreads()
        for i in range(16):
            acc += a_tile[ty, i] * b_tile[i, tx]
        cuda.syncthreads()
    if row < m and col < n:
        out[row, col] = acc
