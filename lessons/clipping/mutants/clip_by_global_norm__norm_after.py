"""Returns the norm of the gradients after clipping."""

import math

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "norm-after-clipping"


def clip_by_global_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if total_norm > max_norm:
        grads = [g * (max_norm / total_norm) for g in grads]
    else:
        grads = [g.copy() for g in grads]
    return grads, math.sqrt(sum(float(np.sum(g * g)) for g in grads))
