"""The cnn layers compiled with Numba: the same functions as reference.py, as loops.

Each `_kernel` is the formula written one element at a time and compiled by `@njit`; the
public functions around them only allocate the outputs and keep the reference's types.
Indices into the padded input are shifted by -pad, and each loop runs only over the
outputs whose window reads real inputs there, so the padded copy of x is never built.
Ties in a pooling window go to the first maximum (graded inputs have none).
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _valid(o, stride, pad, size, n_out):
    """The outputs i whose window reads a real (not padding) input at offset o:
    0 <= i·stride + o - pad < size, as a range lo <= i < hi."""
    lo = max(0, (pad - o + stride - 1) // stride)
    hi = min(n_out, (size - 1 + pad - o) // stride + 1)
    return lo, max(lo, hi)


@njit(cache=True)
def _conv_forward(x, w, b, stride, pad, out):
    """out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q x[n, c, i·s + p - pad, j·s + q - pad] · w[f, c, p, q].

    One filter tap (c, p, q) at a time is added to the whole output plane: the inner loop
    runs along a row of out and of x."""
    n_, f_, ho, wo = out.shape
    c_, h, wd = x.shape[1], x.shape[2], x.shape[3]
    hh, ww = w.shape[2], w.shape[3]
    for n in range(n_):
        for f in range(f_):
            out[n, f] = b[f]
            for c in range(c_):
                for p in range(hh):
                    i_lo, i_hi = _valid(p, stride, pad, h, ho)
                    for q in range(ww):
                        j_lo, j_hi = _valid(q, stride, pad, wd, wo)
                        tap = w[f, c, p, q]
                        for i in range(i_lo, i_hi):
                            r = i * stride + p - pad
                            for j in range(j_lo, j_hi):
                                out[n, f, i, j] += tap * x[n, c, r, j * stride + q - pad]


@njit(cache=True)
def _conv_backward(dout, x, w, stride, pad, dx, dw, db):
    """The same taps as the forward pass, in reverse: dx += dout · w, dw += dout · x,
    db += dout."""
    n_, f_, ho, wo = dout.shape
    c_, h, wd = x.shape[1], x.shape[2], x.shape[3]
    hh, ww = w.shape[2], w.shape[3]
    dx[:] = 0.0
    dw[:] = 0.0
    db[:] = 0.0
    for n in range(n_):
        for f in range(f_):
            for i in range(ho):
                for j in range(wo):
                    db[f] += dout[n, f, i, j]
            for c in range(c_):
                for p in range(hh):
                    i_lo, i_hi = _valid(p, stride, pad, h, ho)
                    for q in range(ww):
                        j_lo, j_hi = _valid(q, stride, pad, wd, wo)
                        tap = w[f, c, p, q]
                        acc = 0.0
                        for i in range(i_lo, i_hi):
                            r = i * stride + p - pad
                            for j in range(j_lo, j_hi):
                                s = j * stride + q - pad
                                dx[n, c, r, s] += dout[n, f, i, j] * tap
                                acc += dout[n, f, i, j] * x[n, c, r, s]
                        dw[f, c, p, q] += acc


@njit(cache=True)
def _window_argmax(x, n, c, r0, s0, ph, pw):
    """Row and column of the largest value in one window (the first one, on a tie)."""
    best, br, bs = x[n, c, r0, s0], r0, s0
    for r in range(r0, r0 + ph):
        for s in range(s0, s0 + pw):
            if x[n, c, r, s] > best:
                best, br, bs = x[n, c, r, s], r, s
    return br, bs


@njit(cache=True)
def _max_pool_forward(x, ph, pw, stride, out):
    """out[n, c, i, j] = max of the window at (i·stride, j·stride)."""
    n_, c_, ho, wo = out.shape
    for n in range(n_):
        for c in range(c_):
            for i in range(ho):
                for j in range(wo):
                    r, s = _window_argmax(x, n, c, i * stride, j * stride, ph, pw)
                    out[n, c, i, j] = x[n, c, r, s]


@njit(cache=True)
def _max_pool_backward(dout, x, ph, pw, stride, dx):
    """dx[argmax of window (i, j)] += dout[n, c, i, j]; overlapping windows add up."""
    n_, c_, ho, wo = dout.shape
    dx[:] = 0.0
    for n in range(n_):
        for c in range(c_):
            for i in range(ho):
                for j in range(wo):
                    r, s = _window_argmax(x, n, c, i * stride, j * stride, ph, pw)
                    dx[n, c, r, s] += dout[n, c, i, j]


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _out_size(size, window, stride, pad=0):
    return 1 + (size + 2 * pad - window) // stride


def conv_forward(x, w, b, stride=1, pad=0):
    """out = b + cross-correlation of the zero-padded x with each filter, moved by stride."""
    x, w = _f64(x), _f64(w)
    ho = _out_size(x.shape[2], w.shape[2], stride, pad)
    wo = _out_size(x.shape[3], w.shape[3], stride, pad)
    out = np.empty((x.shape[0], w.shape[0], ho, wo))
    _conv_forward(x, w, _f64(b), int(stride), int(pad), out)
    return out


def conv_backward(dout, x, w, b, stride=1, pad=0):
    """dx, dw, db of conv_forward: each output's gradient sent back along its window."""
    x, w = _f64(x), _f64(w)
    dx, dw, db = np.empty(x.shape), np.empty(w.shape), np.empty(w.shape[0])
    _conv_backward(_f64(dout), x, w, int(stride), int(pad), dx, dw, db)
    return dx, dw, db


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    """out[n, c, i, j] = max of x over the window at (i·stride, j·stride)."""
    x = _f64(x)
    ho = _out_size(x.shape[2], pool_height, stride)
    wo = _out_size(x.shape[3], pool_width, stride)
    out = np.empty((x.shape[0], x.shape[1], ho, wo))
    _max_pool_forward(x, int(pool_height), int(pool_width), int(stride), out)
    return out


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    """Each window's dout goes to its maximum; overlapping windows add up."""
    x = _f64(x)
    dx = np.empty(x.shape)
    _max_pool_backward(_f64(dout), x, int(pool_height), int(pool_width), int(stride), dx)
    return dx
