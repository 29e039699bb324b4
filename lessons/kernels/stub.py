"""GPU kernels with numba-cuda: fill in each kernel, then run `tutor check kernels`.

A kernel is the work of ONE thread. It returns nothing: it writes its
output array. The grader allocates every array (float64), launches each
kernel with the grid and block given in its docstring (you never choose
them), and reads `out` back. `out` starts filled with NaN, so an element
no thread writes shows up.

Inside a kernel:
  cuda.threadIdx.x, .y   this thread's position in its block
  cuda.blockIdx.x, .y    this block's position in the grid
  cuda.blockDim.x, .y    threads per block;   cuda.gridDim.x, .y   blocks in the grid
  cuda.grid(1)           blockIdx.x * blockDim.x + threadIdx.x;  cuda.grid(2) is (x, y)
  cuda.shared.array(shape, np.float64)   memory shared by the threads of one block
  cuda.syncthreads()     wait until every thread of the block has reached this line
  math.exp, math.log, max, min, abs      (no NumPy array functions inside a kernel)

Sizes are rarely multiples of the block size: the grid has more threads
than elements, so every thread checks its indices. In 2-D launches x is
the column and y the row. Besides the values, the grader counts each
thread's global-memory reads and writes (budgets below; a global read is
any read of an element of an input or of `out`), and looks for races in
shared memory. No atomics, no warp shuffles. Grading runs Numba's CUDA
simulator, so no GPU is needed; keep to what a GPU can compile (numbers,
math, indexing; no lists or NumPy calls).
"""

import math  # noqa: F401  (math.exp and math.inf are what kernels use)

import numpy as np  # noqa: F401  (np.float64 for shared arrays)
from numba import cuda

THREADS = 128  # threads per block of the one-dimensional launches
TILE = 16  # the matrix product's tiles are TILE x TILE


@cuda.jit
def relu_kernel(x, out):
    """out[i] = max(x[i], 0).

    x, out: float64 arrays of shape (n,).
    Launch: grid ceil(n / 128) blocks of 128 threads: one thread per
    element, and the last block's extra threads do nothing.
    Budget per thread: 1 global read, 1 global write.
    """
    raise NotImplementedError("relu_kernel")


@cuda.jit
def add_bias_kernel(x, b, out):
    """out[i, j] = x[i, j] + b[j]: the bias of column j added to every row.

    x, out: float64 (M, N); b: float64 (N,).
    Launch: grid (ceil(N / 16), ceil(M / 16)), block (16, 16): thread
    (x, y) of the grid handles column x of row y, so consecutive threads
    touch consecutive elements of a row.
    Budget per thread: 2 global reads, 1 global write.
    """
    raise NotImplementedError("add_bias_kernel")


@cuda.jit
def row_sum_kernel(x, out):
    """out[i] = x[i, 0] + x[i, 1] + ... + x[i, N - 1].

    x: float64 (M, N); out: float64 (M,). N may be far above or below
    128.
    Launch: grid M, block 128: block i sums row i. Each thread first
    sums its own strided part of the row (elements tid, tid + 128, ...),
    then the block adds up the 128 partial sums in a shared array, with
    cuda.syncthreads() between the steps.
    Budget per thread: ceil(N / 128) global reads, 1 global write.
    """
    raise NotImplementedError("row_sum_kernel")


@cuda.jit
def row_softmax_kernel(x, out):
    """out[i, j] = exp(x[i, j] - m_i) / sum_k exp(x[i, k] - m_i), m_i the maximum of row i.

    x, out: float64 (M, N), entries up to about 1e3 in magnitude
    (exp(1000) overflows: the shift by the row's maximum is what keeps
    it finite).
    Launch: grid M, block 128: block i handles row i (two block
    reductions: the maximum, then the sum).
    Budget per thread: 3 * ceil(N / 128) global reads, 2 * ceil(N / 128)
    global writes.
    """
    raise NotImplementedError("row_softmax_kernel")


@cuda.jit
def matmul_tiled_kernel(a, b, out):
    """out = a @ b, with 16 x 16 tiles of a and b staged in shared memory.

    a: float64 (M, K); b: float64 (K, N); out: float64 (M, N).
    Launch: grid (ceil(N / 16), ceil(M / 16)), block (16, 16): thread
    (tx, ty) of block (bx, by) computes out[by * 16 + ty, bx * 16 + tx].
    For each step t along K, the block loads a 16 x 16 tile of a (rows
    of its block, columns t..t+15) and one of b (rows t..t+15, columns
    of its block) into shared memory, one element per thread
    (0.0 past the edges), waits, accumulates 16 products, and waits
    again before the next tiles.
    Budget per thread: 2 * ceil(K / 16) global reads, 1 global write.
    """
    raise NotImplementedError("matmul_tiled_kernel")
