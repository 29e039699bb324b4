"""The index is threadIdx.x alone: every block works on elements 0..127."""

from numba import cuda

EXERCISE = "relu_kernel"
DIAGNOSIS = "thread-index-only"


@cuda.jit
def relu_kernel(x, out):
    i = cuda.threadIdx.x
    if i < x.size:
        v = x[i]
        out[i] = v if v > 0.0 else 0.0
