"""No bounds guard: the last block's extra threads read and write past the end."""

from numba import cuda

EXERCISE = "relu_kernel"
DIAGNOSIS = "out-of-bounds"


@cuda.jit
def relu_kernel(x, out):
    i = cuda.grid(1)
    v = x[i]
    out[i] = v if v > 0.0 else 0.0
