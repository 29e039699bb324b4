"""A true convolution: the filter is flipped before it slides."""

import numpy as np

EXERCISE = "conv_forward"
DIAGNOSIS = "conv-flipped"


def conv_forward(x, w, b, stride=1, pad=0):
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    ho, wo = 1 + (h + 2 * pad - hh) // stride, 1 + (wd + 2 * pad - ww) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    flipped = w[:, :, ::-1, ::-1]
    out = np.empty((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, flipped, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
