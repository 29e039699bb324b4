"""Always rescales to norm max_norm, even when the gradient is already smaller."""

import math

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "norm-always-scaled"


def clip_by_global_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    return [g * (max_norm / total_norm) for g in grads], total_norm
