"""Graded inputs for the kernels, chosen to catch the classic bugs, and small: the CUDA
simulator runs one Python thread per CUDA thread.

Sizes are not multiples of the block (a missing bounds guard reads past the end), matrices
are taller than wide and wider than tall (rows and columns swapped leave part unwritten),
rows are shorter and longer than the block of 128 and not powers of two (a reduction that
drops its tail, a missing strided loop), K is not a multiple of the tile (an unpadded tile),
and softmax rows reach 1e3 (exp overflows without the shift). Each case passes `out` too:
the grader replaces it with NaNs of its own before the launch.
"""

import numpy as np

from tutor import Case


def _out(*shape):
    return np.empty(shape)


def relu_kernel(rng):
    cases = []
    for label, n in [("n = 300 (3 blocks, the last one partly idle)", 300),
                     ("n = 1", 1), ("n = 129 (one element past a block)", 129)]:
        x = rng.standard_normal(n)
        x[::7] = 0.0  # exact zeros: max(0, 0) = 0
        cases.append(Case(label, (x, _out(n))))
    cases.append(Case("large magnitudes, n = 200", (1e3 * rng.standard_normal(200), _out(200))))
    return cases


def add_bias_kernel(rng):
    return [Case(f"M = {m}, N = {n}{note}", (rng.standard_normal((m, n)),
                                               rng.standard_normal(n), _out(m, n)))
            for m, n, note in [(37, 21, ""), (40, 5, " (taller than wide)"),
                               (5, 40, " (wider than tall)"), (1, 1, ""),
                               (16, 16, " (exactly one block)")]]


def _rows(rng):
    yield "M = 3, N = 5 (N below the block, not a power of two)", rng.standard_normal((3, 5))
    yield "M = 2, N = 300 (N above the block)", rng.standard_normal((2, 300))
    yield "M = 1, N = 128 (exactly one block's width)", rng.standard_normal((1, 128))
    yield "M = 2, N = 131", rng.standard_normal((2, 131))
    yield "M = 2, N = 1", rng.standard_normal((2, 1))


def row_sum_kernel(rng):
    cases = [Case(label, (x, _out(x.shape[0]))) for label, x in _rows(rng)]
    x = rng.standard_normal((3, 77)) + 100.0  # all positive: nothing cancels by luck
    cases.append(Case("M = 3, N = 77, every entry near 100", (x, _out(3))))
    return cases


def row_softmax_kernel(rng):
    cases = [Case(label, (x, _out(*x.shape))) for label, x in _rows(rng)]
    x = 1e3 * rng.standard_normal((2, 150))
    x[1] -= 2e3  # a row far below zero: exp underflows without the shift
    cases.append(Case("entries up to 1e3 in magnitude, M = 2, N = 150", (x, _out(2, 150))))
    return cases


def matmul_tiled_kernel(rng):
    cases = []
    for m, k, n, note in [(17, 20, 18, " (ragged tiles on every edge)"),
                          (5, 33, 7, " (K is three tiles, the last one ragged)"),
                          (33, 9, 5, " (taller than wide)"), (1, 1, 1, ""),
                          (16, 16, 16, " (exactly one tile)")]:
        cases.append(Case(f"M = {m}, K = {k}, N = {n}{note}",
                          (rng.standard_normal((m, k)), rng.standard_normal((k, n)),
                           _out(m, n))))
    return cases


# No BENCHMARKS: benchmarks/kernels.py calls each backend's function as a function, and a
# kernel is launched; `tutor race kernels.NAME` times these kernels on a GPU instead.


def race_inputs(name, rng, size=1024):
    """Arguments at a size worth timing: ``size`` is n for relu, else M = N (= K)."""
    if name == "relu_kernel":
        return rng.standard_normal(size), _out(size)
    x = rng.standard_normal((size, size))
    if name == "add_bias_kernel":
        return x, rng.standard_normal(size), _out(size, size)
    if name == "row_sum_kernel":
        return x, _out(size)
    if name == "row_softmax_kernel":
        return x, _out(size, size)
    return x, rng.standard_normal((size, size)), _out(size, size)
