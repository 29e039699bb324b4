"""Sends each window's gradient to every position of the window."""

import numpy as np

EXERCISE = "max_pool_backward"
DIAGNOSIS = "pool-no-routing"


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + pool_height)
            cols = slice(j * stride, j * stride + pool_width)
            dx[:, :, rows, cols] += dout[:, :, i, j][:, :, None, None]
    return dx
