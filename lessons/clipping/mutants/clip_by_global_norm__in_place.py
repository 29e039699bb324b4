"""Scales the caller's arrays in place with g *= scale."""

import math

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "mutated-input"


def clip_by_global_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if total_norm > max_norm:
        for g in grads:
            g *= max_norm / total_norm
    return [g.copy() for g in grads], total_norm
