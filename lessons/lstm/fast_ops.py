"""The LSTM compiled with Numba: the same functions as reference.py, as loops.

A step is two parts: the pre-activations a = x Wx + h Wh + b (a matrix product) and the
cell, which works on each of the H units on its own (`_cell`, `_cell_backward`). The
sequence functions run the whole loop over time inside compiled code; the public
functions only allocate the outputs and keep the reference's types.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), with e^-|x| so that exp never overflows."""
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0.0 else z / (1.0 + z)


@njit(cache=True)
def _preactivations(x, h, Wx, Wh, b, a):
    """a[n, k] = Σ_d x[n, d] Wx[d, k] + Σ_j h[n, j] Wh[j, k] + b[k]."""
    for n in range(a.shape[0]):
        for k in range(a.shape[1]):
            a[n, k] = b[k]
        for d in range(x.shape[1]):
            v = x[n, d]
            if v != 0.0:  # one-hot inputs: most rows of Wx are skipped
                for k in range(a.shape[1]):
                    a[n, k] += v * Wx[d, k]
        for j in range(h.shape[1]):
            v = h[n, j]
            for k in range(a.shape[1]):
                a[n, k] += v * Wh[j, k]


@njit(cache=True)
def _cell(a, prev_c, h, c):
    """Per unit: i, f, o = σ(a_i, a_f, a_o), g = tanh(a_g); c = f prev_c + i g; h = o tanh(c)."""
    size = prev_c.shape[1]
    for n in range(prev_c.shape[0]):
        for j in range(size):
            i = _sigmoid(a[n, j])
            f = _sigmoid(a[n, size + j])
            o = _sigmoid(a[n, 2 * size + j])
            g = math.tanh(a[n, 3 * size + j])
            c[n, j] = f * prev_c[n, j] + i * g
            h[n, j] = o * math.tanh(c[n, j])


@njit(cache=True)
def _cell_backward(a, prev_c, dnext_h, dnext_c, da, dprev_c):
    """Per unit: dc = dnext_c + dnext_h o (1 - tanh² c), dprev_c = dc f, and da for each gate."""
    size = prev_c.shape[1]
    for n in range(prev_c.shape[0]):
        for j in range(size):
            i = _sigmoid(a[n, j])
            f = _sigmoid(a[n, size + j])
            o = _sigmoid(a[n, 2 * size + j])
            g = math.tanh(a[n, 3 * size + j])
            tanh_c = math.tanh(f * prev_c[n, j] + i * g)
            dc = dnext_c[n, j] + dnext_h[n, j] * o * (1.0 - tanh_c * tanh_c)
            da[n, j] = dc * g * i * (1.0 - i)
            da[n, size + j] = dc * prev_c[n, j] * f * (1.0 - f)
            da[n, 2 * size + j] = dnext_h[n, j] * tanh_c * o * (1.0 - o)
            da[n, 3 * size + j] = dc * i * (1.0 - g * g)
            dprev_c[n, j] = dc * f


@njit(cache=True)
def _into_inputs(da, W_T, dv):
    """dv[n, d] = Σ_k da[n, k] W[d, k], given W_T = W.T contiguous: da @ W.T."""
    for n in range(dv.shape[0]):
        for d in range(dv.shape[1]):
            dv[n, d] = 0.0
        for k in range(da.shape[1]):
            v = da[n, k]
            for d in range(dv.shape[1]):  # contiguous rows of W_T and dv
                dv[n, d] += v * W_T[k, d]


@njit(cache=True)
def _into_weights(v, da, dW):
    """dW[d, k] += Σ_n v[n, d] da[n, k]: dW += v.T @ da."""
    for n in range(v.shape[0]):
        for d in range(v.shape[1]):
            value = v[n, d]
            if value != 0.0:
                for k in range(da.shape[1]):
                    dW[d, k] += value * da[n, k]


@njit(cache=True)
def _into_bias(da, db):
    """db[k] += Σ_n da[n, k]."""
    for n in range(da.shape[0]):
        for k in range(da.shape[1]):
            db[k] += da[n, k]


@njit(cache=True)
def _step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx_T, Wh_T, a,
                   dx, dprev_h, dprev_c, dWx, dWh, db):
    """One step back, from the step's pre-activations a and the transposed weights; the
    weights' gradients accumulate."""
    da = np.empty(a.shape)
    _cell_backward(a, prev_c, dnext_h, dnext_c, da, dprev_c)
    _into_inputs(da, Wx_T, dx)
    _into_inputs(da, Wh_T, dprev_h)
    _into_weights(x, da, dWx)
    _into_weights(prev_h, da, dWh)
    _into_bias(da, db)


@njit(cache=True)
def _sequence(xs, h0, Wx, Wh, b, a, hs, cs):
    """The forward pass over time-major inputs xs (T, N, D), keeping every step: a[t] its
    pre-activations, hs[t + 1] = h_t, cs[t + 1] = c_t, with hs[0] = h0 and cs[0] = 0."""
    hs[0] = h0
    cs[0] = 0.0
    for t in range(xs.shape[0]):
        _preactivations(xs[t], hs[t], Wx, Wh, b, a[t])
        _cell(a[t], cs[t], hs[t + 1], cs[t + 1])


@njit(cache=True)
def _sequence_backward(dhs, xs, Wx_T, Wh_T, a, hs, cs, dxs, dh0, dWx, dWh, db):
    """Backprop through time (time-major arrays): the gradient on h_t is dhs[t] plus what
    step t + 1 sent back, the cell's gradient comes only from step t + 1, and the weights'
    gradients add up over the steps."""
    dnext_h = np.zeros(dh0.shape)
    dnext_c = np.zeros(dh0.shape)
    dprev_h = np.empty(dh0.shape)
    dprev_c = np.empty(dh0.shape)
    for t in range(xs.shape[0] - 1, -1, -1):
        dnext_h += dhs[t]
        _step_backward(dnext_h, dnext_c, xs[t], hs[t], cs[t], Wx_T, Wh_T, a[t],
                       dxs[t], dprev_h, dprev_c, dWx, dWh, db)
        dnext_h[:] = dprev_h
        dnext_c[:] = dprev_c
    dh0[:] = dnext_h


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _time_major(a):
    """(N, T, ...) -> a contiguous float64 (T, N, ...): step t is then one contiguous block."""
    return np.ascontiguousarray(np.swapaxes(a, 0, 1), dtype=np.float64)


def _run(xs, h0, Wx, Wh, b):
    """The forward pass over time-major xs; returns (a, hs, cs) as `_sequence` fills them."""
    steps, n, _ = xs.shape
    a = np.empty((steps, n, Wx.shape[1]))
    hs = np.empty((steps + 1, n, h0.shape[1]))
    cs = np.empty((steps + 1, n, h0.shape[1]))
    _sequence(xs, h0, Wx, Wh, b, a, hs, cs)
    return a, hs, cs


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """next_c = f ⊙ prev_c + i ⊙ g;  next_h = o ⊙ tanh(next_c)."""
    x, prev_h, prev_c = _f64(x), _f64(prev_h), _f64(prev_c)
    a = np.empty((x.shape[0], Wx.shape[1]))
    _preactivations(x, prev_h, _f64(Wx), _f64(Wh), _f64(b), a)
    next_h, next_c = np.empty(prev_c.shape), np.empty(prev_c.shape)
    _cell(a, prev_c, next_h, next_c)
    return next_h, next_c


def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    """dc = dnext_c + dnext_h ⊙ o ⊙ (1 - tanh²(next_c)); dprev_c = dc ⊙ f; then da."""
    x, prev_h, prev_c, Wx, Wh = _f64(x), _f64(prev_h), _f64(prev_c), _f64(Wx), _f64(Wh)
    a = np.empty((x.shape[0], Wx.shape[1]))
    _preactivations(x, prev_h, Wx, Wh, _f64(b), a)
    dx, dprev_h, dprev_c = np.empty(x.shape), np.empty(prev_h.shape), np.empty(prev_c.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(Wx.shape[1])
    _step_backward(_f64(dnext_h), _f64(dnext_c), x, prev_h, prev_c, _f64(Wx.T), _f64(Wh.T), a,
                   dx, dprev_h, dprev_c, dWx, dWh, db)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    """h[:, t] = h_t for t = 0 .. T - 1, from h0 and a zero initial cell."""
    _, hs, _ = _run(_time_major(x), _f64(h0), _f64(Wx), _f64(Wh), _f64(b))
    return _time_major(hs[1:])


def lstm_backward(dh, x, h0, Wx, Wh, b):
    """Backprop through time; returns (dx, dh0, dWx, dWh, db)."""
    xs, h0, Wx, Wh, b = _time_major(x), _f64(h0), _f64(Wx), _f64(Wh), _f64(b)
    a, hs, cs = _run(xs, h0, Wx, Wh, b)
    dxs, dh0 = np.empty(xs.shape), np.empty(h0.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    _sequence_backward(_time_major(dh), xs, _f64(Wx.T), _f64(Wh.T), a, hs, cs, dxs, dh0, dWx,
                       dWh, db)
    return _time_major(dxs), dh0, dWx, dWh, db
