"""Average pooling instead of max pooling."""

import numpy as np

EXERCISE = "max_pool_forward"
DIAGNOSIS = "pool-average"


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    n, c, h, wd = x.shape
    ho, wo = 1 + (h - pool_height) // stride, 1 + (wd - pool_width) // stride
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + pool_height,
                       j * stride:j * stride + pool_width]
            out[:, :, i, j] = window.mean(axis=(2, 3))
    return out
