"""Decodes the window's flat argmax with its height and width swapped."""

import numpy as np

EXERCISE = "max_pool_backward"
DIAGNOSIS = "pool-argmax-index"


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    dx = np.zeros(x.shape)
    n, c = x.shape[:2]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * stride:i * stride + pool_height,
                       j * stride:j * stride + pool_width]
            k = window.reshape(n, c, -1).argmax(axis=2)
            r, q = np.unravel_index(k, (pool_width, pool_height))
            for a in range(n):
                for d in range(c):
                    dx[a, d, i * stride + r[a, d], j * stride + q[a, d]] += dout[a, d, i, j]
    return dx
