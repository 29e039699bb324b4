"""Gradient clipping compiled with Numba: the same functions as reference.py, as loops.

Each `_kernel` walks one array's elements in memory order and is compiled by `@njit`, the
elements spread over the cores (`prange`); the sum of squares may add them in any order
(`fastmath`), so it runs on several partial sums at once. The public functions around
them loop over the list of arrays, allocate the outputs and keep the reference's types
(a list of float64 arrays, and a Python float for the norm).
"""

import math

import numpy as np
from numba import njit, prange
from tutor_lessons.jitmath import ANY_ORDER


@njit(cache=True, parallel=True, error_model="numpy")
def _clip(g, clip, out):
    """out = min(max(g, -clip), clip), elementwise."""
    for i in prange(g.size):
        out[i] = min(max(g[i], -clip), clip)


@njit(cache=True, parallel=True, error_model="numpy", fastmath=ANY_ORDER)
def _sum_squares(g):
    """Σ g²."""
    total = 0.0
    for i in prange(g.size):
        total += g[i] * g[i]
    return total


@njit(cache=True, parallel=True, error_model="numpy")
def _scale(g, factor, out):
    """out = factor · g."""
    for i in prange(g.size):
        out[i] = g[i] * factor


def _flat(g):
    return np.ascontiguousarray(g, dtype=np.float64).ravel()


def _each(kernel, grads, *args):
    """Run `kernel(flat g, *args, flat out)` on every array; outputs keep the arrays' shapes."""
    out = []
    for g in grads:
        flat = _flat(g)
        new = np.empty_like(flat)
        kernel(flat, *args, new)
        out.append(new.reshape(np.shape(g)))
    return out


def clip_by_value(grads, clip):
    """Each element clamped to [-clip, clip]: g ← min(max(g, -clip), clip)."""
    return _each(_clip, grads, float(clip))


def clip_by_global_norm(grads, max_norm):
    """‖g‖ = √(Σ over all arrays of Σ g²); if ‖g‖ > max_norm, g ← g · max_norm / ‖g‖."""
    total_norm = math.sqrt(sum(_sum_squares(_flat(g)) for g in grads))
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return _each(_scale, grads, scale), total_norm
