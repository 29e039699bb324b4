"""Clips only the large positive values: np.minimum(g, clip)."""

import numpy as np

EXERCISE = "clip_by_value"
DIAGNOSIS = "value-one-sided"


def clip_by_value(grads, clip):
    return [np.minimum(g, clip) for g in grads]
