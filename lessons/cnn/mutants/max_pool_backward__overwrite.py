"""Assigns each window's routed gradient instead of adding it: overlaps lose gradient."""

import numpy as np

EXERCISE = "max_pool_backward"
DIAGNOSIS = "overwrite-overlaps"


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + pool_height)
            cols = slice(j * stride, j * stride + pool_width)
            window = x[:, :, rows, cols]
            is_max = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols] = is_max * dout[:, :, i, j][:, :, None, None]
    return dx
