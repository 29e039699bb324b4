"""Clips each array in place with out=g."""

import numpy as np

EXERCISE = "clip_by_value"
DIAGNOSIS = "mutated-input"


def clip_by_value(grads, clip):
    for g in grads:
        np.clip(g, -clip, clip, out=g)
    return list(grads)
