"""Skips the copy for an array that needs no clipping, and returns that input array itself."""

import numpy as np

EXERCISE = "clip_by_value"
DIAGNOSIS = "returned-input"


def clip_by_value(grads, clip):
    return [g if np.all(np.abs(g) <= clip) else np.clip(g, -clip, clip) for g in grads]
