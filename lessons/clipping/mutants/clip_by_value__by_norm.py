"""Rescales each array to norm at most clip: clipping by norm, not by value."""

import numpy as np

EXERCISE = "clip_by_value"
DIAGNOSIS = "value-clipped-by-norm"


def clip_by_value(grads, clip):
    out = []
    for g in grads:
        norm = np.linalg.norm(g)
        out.append(g * (clip / norm) if norm > clip else g.copy())
    return out
