"""Uses pool_width for the rows and pool_height for the columns."""

import numpy as np

EXERCISE = "max_pool_forward"
DIAGNOSIS = "pool-hw-swapped"


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    n, c, h, wd = x.shape
    ho, wo = 1 + (h - pool_width) // stride, 1 + (wd - pool_height) // stride
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + pool_width,
                       j * stride:j * stride + pool_height]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out
