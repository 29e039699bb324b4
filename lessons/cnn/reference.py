"""Reference solutions for the cnn lesson, in plain NumPy.

Each function loops over the output positions and does the work of one window at a time,
for the whole batch, with `np.tensordot`; the grader compares a learner's file against
these.
"""

import numpy as np


def _out_size(size, window, stride, pad=0):
    """How many window positions fit: 1 + (size + 2 pad - window) // stride (floor)."""
    return 1 + (size + 2 * pad - window) // stride


def conv_forward(x, w, b, stride=1, pad=0):
    """out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q xp[n, c, i·stride + p, j·stride + q] · w[f, c, p, q],
    with xp = x zero-padded by pad on every side (cross-correlation: w is not flipped)."""
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    ho, wo = _out_size(h, hh, stride, pad), _out_size(wd, ww, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_backward(dout, x, w, b, stride=1, pad=0):
    """Each window sends dout[n, f, i, j] · w[f] back to the inputs it read (dx) and
    dout[n, f, i, j] · window to the filter (dw); db[f] = Σ_n Σ_i Σ_j dout[n, f, i, j]."""
    _, _, h, wd = x.shape
    _, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + hh)
            cols = slice(j * stride, j * stride + ww)
            g = dout[:, :, i, j]  # (N, F): the upstream gradient of this window's outputs
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))  # overlaps add up
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, pad:pad + h, pad:pad + wd].copy()  # the padding's gradient is dropped
    return dx, dw, db


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    """out[n, c, i, j] = max of x[n, c, i·stride : i·stride + ph, j·stride : j·stride + pw]."""
    n, c, h, wd = x.shape
    ho, wo = _out_size(h, pool_height, stride), _out_size(wd, pool_width, stride)
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + pool_height,
                       j * stride:j * stride + pool_width]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    """Each window routes dout[n, c, i, j] to the position of its maximum; where windows
    overlap, an input collects the gradient of every window it is the maximum of."""
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + pool_height)
            cols = slice(j * stride, j * stride + pool_width)
            window = x[:, :, rows, cols]
            is_max = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols] += is_max * dout[:, :, i, j][:, :, None, None]
    return dx
