"""Returns the input list itself when there is nothing to clip."""

import math

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "returned-input"


def clip_by_global_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if total_norm <= max_norm:
        return grads, total_norm
    return [g * (max_norm / total_norm) for g in grads], total_norm
