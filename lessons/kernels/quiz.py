"""Generators for the kernels lesson's numeric quiz questions.

The answers come from the lesson's own launch configurations and budgets, as the grader
reads them from lesson.toml (tutor.Lesson), not from formulas written again here. Each
generator returns the prompt's parameters, the answer, and the wrong answers the question
exists to catch.
"""

from functools import cache
from pathlib import Path

import numpy as np

from tutor import Lesson


@cache
def _lesson():
    return Lesson.from_folder(Path(__file__).parent)


def _launch(name, *args):
    exercise = _lesson().exercise(name)
    return exercise.kernel.launch(exercise.params, args)


def _budget(name, *args):
    exercise = _lesson().exercise(name)
    return exercise.kernel.budget(exercise.params, args)


def relu_blocks(rng):
    """Blocks for n elements in blocks of 128, n not a multiple of 128."""
    while True:
        n = int(rng.integers(200, 20000))
        if n % 128:
            break
    (blocks,), _ = _launch("relu_kernel", np.empty(n), np.empty(n))
    return {"n": n}, float(blocks), {"n // 128 (rounded down: the tail has no block)":
                                     float(n // 128)}


def idle_threads(rng):
    """Threads of the grid that have no element."""
    while True:
        n = int(rng.integers(200, 20000))
        if n % 128 and n % 128 != 64:
            break
    (blocks,), (threads,) = _launch("relu_kernel", np.empty(n), np.empty(n))
    idle = blocks * threads - n
    return {"n": n}, float(idle), {"n mod 128 (the threads of the last block that do have "
                                   "an element)": float(n % 128), "none": 0.0}


def bias_blocks(rng):
    """Blocks of the 2-D grid of add_bias_kernel for an M x N array."""
    while True:
        m, n = int(rng.integers(20, 400)), int(rng.integers(20, 400))
        grid, _ = _launch("add_bias_kernel", np.empty((m, n)), np.empty(n), np.empty((m, n)))
        blocks = grid[0] * grid[1]
        flat = -(-m * n // 256)
        if blocks != flat and m % 16 and n % 16:
            break
    return {"m": m, "n": n}, float(blocks), {
        "ceil(M · N / 256): the elements in blocks of 256, as if rows wrapped": float(flat),
        "floor(M / 16) · floor(N / 16): the edges left out": float((m // 16) * (n // 16))}


def tiled_reads(rng):
    """Global reads per thread of the tiled matrix product, K not a multiple of 16."""
    while True:
        k = int(rng.integers(20, 600))
        if k % 16:
            break
    reads, _ = _budget("matmul_tiled_kernel", np.empty((4, k)), np.empty((k, 4)),
                       np.empty((4, 4)))
    return {"k": k}, float(reads), {
        "2K: the naive kernel's, without tiles": float(2 * k),
        "2 · floor(K / 16): the last, partial tile forgotten": float(2 * (k // 16)),
        "ceil(K / 16): one operand only": float(-(-k // 16))}
