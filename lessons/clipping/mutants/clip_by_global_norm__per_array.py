"""Clips each array by its own norm (like tf.clip_by_norm on each tensor)."""

import math

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "norm-per-array"


def clip_by_global_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    clipped = []
    for g in grads:
        norm = float(np.linalg.norm(g))
        clipped.append(g * (max_norm / norm) if norm > max_norm else g.copy())
    return clipped, total_norm
