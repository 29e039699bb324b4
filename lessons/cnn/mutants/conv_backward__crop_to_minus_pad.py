"""Crops the padding with dxp[..., pad:-pad]: with pad = 0 that slice is empty."""

import numpy as np

EXERCISE = "conv_backward"
DIAGNOSIS = "empty-slice"


def conv_backward(dout, x, w, b, stride=1, pad=0):
    _, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + hh)
            cols = slice(j * stride, j * stride + ww)
            g = dout[:, :, i, j]
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))
    return dxp[:, :, pad:-pad, pad:-pad].copy(), dw, dout.sum(axis=(0, 2, 3))
