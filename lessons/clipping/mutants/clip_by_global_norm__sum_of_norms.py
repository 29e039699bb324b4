"""Adds up the arrays' norms instead of their squared norms."""

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "norm-sum-of-norms"


def clip_by_global_norm(grads, max_norm):
    total_norm = float(sum(np.linalg.norm(g) for g in grads))
    if total_norm > max_norm:
        return [g * (max_norm / total_norm) for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
