"""Sends the gradient back through the flipped filter ("the backward pass flips")."""

import numpy as np

EXERCISE = "conv_backward"
DIAGNOSIS = "conv-dx-flipped"


def conv_backward(dout, x, w, b, stride=1, pad=0):
    _, _, h, wd = x.shape
    _, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    flipped = w[:, :, ::-1, ::-1]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + hh)
            cols = slice(j * stride, j * stride + ww)
            g = dout[:, :, i, j]
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, flipped, axes=([1], [0]))
    return dxp[:, :, pad:pad + h, pad:pad + wd].copy(), dw, dout.sum(axis=(0, 2, 3))
