"""The guard lets i == n through: i <= x.size instead of i < x.size."""

from numba import cuda

EXERCISE = "relu_kernel"
DIAGNOSIS = "out-of-bounds"


@cuda.jit
def relu_kernel(x, out):
    i = cuda.grid(1)
    if i <= x.size:
        v = x[i]
        out[i] = v if v > 0.0 else 0.0
