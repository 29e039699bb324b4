"""x[i] read twice, once to compare and once to copy: two global reads where one will do."""

from numba import cuda

EXERCISE = "relu_kernel"
DIAGNOSIS = "over-budget"


@cuda.jit
def relu_kernel(x, out):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = x[i] if x[i] > 0.0 else 0.0
