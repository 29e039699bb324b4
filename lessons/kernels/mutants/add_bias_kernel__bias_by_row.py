"""b indexed by the row instead of the column."""

from numba import cuda

EXERCISE = "add_bias_kernel"
DIAGNOSIS = "bias-by-row"


@cuda.jit
def add_bias_kernel(x, b, out):
    col, row = cuda.grid(2)
    if row < x.shape[0] and col < x.shape[1] and row < b.size:
        out[row, col] = x[row, col] + b[row]
