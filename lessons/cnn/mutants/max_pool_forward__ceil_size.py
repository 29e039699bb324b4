"""Rounds the output size up, so a partial window at the edge is pooled too."""

import math

import numpy as np

EXERCISE = "max_pool_forward"
DIAGNOSIS = "pool-out-size"


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    n, c, h, wd = x.shape
    ho = 1 + math.ceil((h - pool_height) / stride)
    wo = 1 + math.ceil((wd - pool_width) / stride)
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + pool_height,
                       j * stride:j * stride + pool_width]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out
