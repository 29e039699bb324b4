"""No tiles: every thread reads a whole row of a and a whole column of b from global
memory, 2K reads where 2 ceil(K / 16) will do."""

from numba import cuda

EXERCISE = "matmul_tiled_kernel"
DIAGNOSIS = "over-budget"


@cuda.jit
def matmul_tiled_kernel(a, b, out):
    col, row = cuda.grid(2)
    if row < a.shape[0] and col < b.shape[1]:
        acc = 0.0
        for i in range(a.shape[1]):
            acc += a[row, i] * b[i, col]
        out[row, col] = acc
