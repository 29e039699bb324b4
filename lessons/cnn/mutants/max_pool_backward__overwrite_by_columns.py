"""Writes each window's gradient to its maximum with =, visiting the windows column by
column: where windows overlap, the last one visited wins."""

import numpy as np

EXERCISE = "max_pool_backward"
DIAGNOSIS = "overwrite-overlaps"


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    dx = np.zeros(x.shape)
    for j in range(dout.shape[3]):
        for i in range(dout.shape[2]):
            rows = slice(i * stride, i * stride + pool_height)
            cols = slice(j * stride, j * stride + pool_width)
            window = x[:, :, rows, cols]
            is_max = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols][is_max] = np.broadcast_to(
                dout[:, :, i, j][:, :, None, None], is_max.shape)[is_max]
    return dx
