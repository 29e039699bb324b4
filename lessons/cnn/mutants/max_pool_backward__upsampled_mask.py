"""Builds the mask by upsampling out with np.repeat, as if the windows tiled the input."""

import numpy as np

EXERCISE = "max_pool_backward"
DIAGNOSIS = "pool-upsampled-mask"


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    out = max_pool_forward(x, pool_height, pool_width, stride)  # noqa: F821 (the reference's)
    up = np.repeat(np.repeat(out, pool_height, axis=2), pool_width, axis=3)
    dup = np.repeat(np.repeat(dout, pool_height, axis=2), pool_width, axis=3)
    h, w = min(up.shape[2], x.shape[2]), min(up.shape[3], x.shape[3])
    dx = np.zeros(x.shape)
    dx[:, :, :h, :w] = (x[:, :, :h, :w] == up[:, :, :h, :w]) * dup[:, :, :h, :w]
    return dx
