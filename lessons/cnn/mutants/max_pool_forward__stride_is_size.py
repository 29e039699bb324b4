"""Ignores stride: the windows move by the pool size, as if they never overlapped."""

import numpy as np

EXERCISE = "max_pool_forward"
DIAGNOSIS = "pool-stride-is-size"


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    n, c, h, wd = x.shape
    ho, wo = 1 + (h - pool_height) // pool_height, 1 + (wd - pool_width) // pool_width
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * pool_height:(i + 1) * pool_height,
                       j * pool_width:(j + 1) * pool_width]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out
