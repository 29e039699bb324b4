"""Reference solutions for the clipping lesson, in plain NumPy.

Each function is the readable version of the math in the lesson's pages; the grader
compares a learner's file against these, and `tutor solution` shows them once passed.
"""

import math

import numpy as np


def clip_by_value(grads, clip):
    """Each element clamped to [-clip, clip]: g ← min(max(g, -clip), clip)."""
    return [np.clip(g, -clip, clip) for g in grads]


def clip_by_global_norm(grads, max_norm):
    """‖g‖ = √(Σ over all arrays of Σ g²); if ‖g‖ > max_norm, g ← g · max_norm / ‖g‖."""
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if total_norm > max_norm:
        scale = max_norm / total_norm
        return [g * scale for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
