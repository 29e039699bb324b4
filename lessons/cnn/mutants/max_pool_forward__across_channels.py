"""Loops over images but takes each window's maximum over all channels at once."""

import numpy as np

EXERCISE = "max_pool_forward"
DIAGNOSIS = "pool-across-channels"


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    n, c, h, wd = x.shape
    ho, wo = 1 + (h - pool_height) // stride, 1 + (wd - pool_width) // stride
    out = np.empty((n, c, ho, wo))
    for k in range(n):
        for i in range(ho):
            for j in range(wo):
                out[k, :, i, j] = np.max(x[k, :, i * stride:i * stride + pool_height,
                                           j * stride:j * stride + pool_width])
    return out
