"""Computes in float32 to save memory, as mixed-precision code does."""

import numpy as np

EXERCISE = "clip_by_global_norm"
DIAGNOSIS = "wrong-dtype"


def clip_by_global_norm(grads, max_norm):
    grads = [g.astype(np.float32) for g in grads]
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if total_norm > max_norm:
        return [g * np.float32(max_norm / total_norm) for g in grads], total_norm
    return grads, total_norm
