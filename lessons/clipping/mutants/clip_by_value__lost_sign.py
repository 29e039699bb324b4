"""Replaces every value beyond the threshold by +clip, whatever its sign."""

import numpy as np

EXERCISE = "clip_by_value"
DIAGNOSIS = "value-lost-sign"


def clip_by_value(grads, clip):
    return [np.where(np.abs(g) > clip, clip, g) for g in grads]
