"""The LSTM compiled with Numba: the same functions as reference.py.

A step is two parts: the pre-activations a = x Wx + h Wh + b, matrix products, and the
cell, which works on each of the H units on its own. A BLAS library, called through
NumPy's `@`, runs the products near the CPU's peak, far faster than any loop Numba
compiles, so they stay NumPy calls; Numba compiles the cell (`_cell`, `_cell_backward`),
one pass over the gates with σ and tanh from lessons/jitmath.py, which vectorize. A
step's cell is a few microseconds of work: too little to share among threads (waking
them costs about as much), so the cores share the products instead, in BLAS.

Over a sequence, only h Wh has to wait for the previous step: x Wx for every step is one
large product before the loop, and going back, the gradients into x, Wx, Wh and b are
each one product after it, over all steps at once. The loop itself is left with one
(N, H) x (H, 4H) product and one pass of the cell per step.
"""

import numpy as np
from numba import njit
from tutor_lessons import jitmath


@njit(cache=True, error_model="numpy")
def _gate_views(a, n):
    """Row n of a (N, 4H) as its four gates' blocks [i | f | o | g]: contiguous 1-D views,
    which a loop over j reads as adjacent numbers, and so vectorizes."""
    size = a.shape[1] // 4
    row = a[n]
    return row[:size], row[size:2 * size], row[2 * size:3 * size], row[3 * size:]


@njit(cache=True, error_model="numpy")
def _cell(a, b, prev_c, gates, c, h):
    """Per unit, from a = x Wx + h Wh (without b): i, f, o = σ(a_i + b_i, ...), g = tanh(a_g + b_g);
    c = f prev_c + i g; h = o tanh(c). The activated gates [i | f | o | g] go to `gates`."""
    bi, bf, bo, bg = _gate_views(b.reshape(1, -1), 0)
    for n in range(prev_c.shape[0]):
        ai, af, ao, ag = _gate_views(a, n)
        i, f, o, g = _gate_views(gates, n)
        pc, cn, hn = prev_c[n], c[n], h[n]
        for j in range(pc.size):
            i[j] = jitmath.sigmoid(ai[j] + bi[j])
            f[j] = jitmath.sigmoid(af[j] + bf[j])
            o[j] = jitmath.sigmoid(ao[j] + bo[j])
            g[j] = jitmath.tanh(ag[j] + bg[j])
            cn[j] = f[j] * pc[j] + i[j] * g[j]
            hn[j] = o[j] * jitmath.tanh(cn[j])


@njit(cache=True, error_model="numpy")
def _cell_backward(gates, prev_c, c, dnext_h, dnext_c, da, dprev_c):
    """Per unit: dc = dnext_c + dnext_h o (1 − tanh² c), dprev_c = dc f, and through each
    gate's derivative, da = [dc g i(1−i) | dc prev_c f(1−f) | dnext_h tanh(c) o(1−o) |
    dc i (1−g²)]."""
    for n in range(prev_c.shape[0]):
        i, f, o, g = _gate_views(gates, n)
        di, df, do, dg = _gate_views(da, n)
        pc, cn, dh, dcn, dpc = prev_c[n], c[n], dnext_h[n], dnext_c[n], dprev_c[n]
        for j in range(pc.size):
            tanh_c = jitmath.tanh(cn[j])
            dc = dcn[j] + dh[j] * o[j] * (1.0 - tanh_c * tanh_c)
            di[j] = dc * g[j] * i[j] * (1.0 - i[j])
            df[j] = dc * pc[j] * f[j] * (1.0 - f[j])
            do[j] = dh[j] * tanh_c * o[j] * (1.0 - o[j])
            dg[j] = dc * i[j] * (1.0 - g[j] * g[j])
            dpc[j] = dc * f[j]


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _step(x, prev_h, prev_c, Wx, Wh, b):
    """One step: (next_h, next_c, gates)."""
    a = x @ Wx
    a += prev_h @ Wh
    gates, c, h = np.empty(a.shape), np.empty(prev_c.shape), np.empty(prev_c.shape)
    _cell(a, b, prev_c, gates, c, h)
    return h, c, gates


def _time_major(a):
    """(N, T, ...) <-> (T, N, ...), contiguous: then step t is one contiguous block, which
    lets the cell's loops run over plain rows."""
    return np.ascontiguousarray(np.swapaxes(a, 0, 1), dtype=np.float64)


def _run(xs, h0, Wx, Wh, b, keep=True):
    """The forward pass over time-major xs (T, N, D): hs[t + 1] = h_t with hs[0] = h0; with
    `keep`, also what the backward pass needs: cs[t + 1] = c_t (cs[0] = 0) and every step's
    gates. Without it those are overwritten step by step: less memory to touch."""
    steps, n, _ = xs.shape
    width = Wh.shape[1]
    chunk = steps if keep else min(steps, 16)  # steps whose x Wx are computed together
    xw = np.empty((chunk, n, width))
    hs = np.empty((steps + 1, *h0.shape))
    cs = np.empty((steps + 1 if keep else 2, *h0.shape))
    gates = np.empty((steps if keep else 1, n, width))
    hs[0], cs[0] = h0, 0.0
    for t in range(steps):
        if t % chunk == 0:  # x Wx for the next steps at once: one large product
            t1 = min(t + chunk, steps)
            np.matmul(xs[t:t1].reshape(-1, xs.shape[2]), Wx,
                      out=xw[:t1 - t].reshape(-1, width))
        a = xw[t % chunk]
        a += hs[t] @ Wh  # the one product that has to wait for the step before
        if keep:
            _cell(a, b, cs[t], gates[t], cs[t + 1], hs[t + 1])
        else:
            _cell(a, b, cs[t % 2], gates[0], cs[(t + 1) % 2], hs[t + 1])
    return hs, cs, gates


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """next_c = f ⊙ prev_c + i ⊙ g;  next_h = o ⊙ tanh(next_c)."""
    h, c, _ = _step(_f64(x), _f64(prev_h), _f64(prev_c), _f64(Wx), _f64(Wh), _f64(b))
    return h, c


def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    """dc = dnext_c + dnext_h ⊙ o ⊙ (1 - tanh²(next_c)); dprev_c = dc ⊙ f; then da."""
    x, prev_h, prev_c, Wx, Wh = _f64(x), _f64(prev_h), _f64(prev_c), _f64(Wx), _f64(Wh)
    _, c, gates = _step(x, prev_h, prev_c, Wx, Wh, _f64(b))
    da, dprev_c = np.empty(gates.shape), np.empty(prev_c.shape)
    _cell_backward(gates, prev_c, c, _f64(dnext_h), _f64(dnext_c), da, dprev_c)
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    """h[:, t] = h_t for t = 0 .. T - 1, from h0 and a zero initial cell."""
    hs, _, _ = _run(_time_major(x), _f64(h0), _f64(Wx), _f64(Wh), _f64(b), keep=False)
    return _time_major(hs[1:])


def lstm_backward(dh, x, h0, Wx, Wh, b):
    """Backprop through time; returns (dx, dh0, dWx, dWh, db). At step t the gradient on h_t
    is dh[:, t] plus what step t + 1 sent back through Wh; the cell's comes only from t + 1."""
    xs, dhs, h0, Wx, Wh = _time_major(x), _time_major(dh), _f64(h0), _f64(Wx), _f64(Wh)
    hs, cs, gates = _run(xs, h0, Wx, Wh, _f64(b))
    steps, n, d = xs.shape
    da = np.empty(gates.shape)
    dnext_h, dnext_c, dprev_c = np.zeros(h0.shape), np.zeros(h0.shape), np.empty(h0.shape)
    for t in range(steps - 1, -1, -1):
        dnext_h += dhs[t]
        _cell_backward(gates[t], cs[t], cs[t + 1], dnext_h, dnext_c, da[t], dprev_c)
        np.matmul(da[t], Wh.T, out=dnext_h)  # the gradient on h_(t-1)
        dnext_c, dprev_c = dprev_c, dnext_c
    flat_da = da.reshape(steps * n, -1)  # then x, Wx, Wh and b: one product each
    dx = (flat_da @ Wx.T).reshape(steps, n, d)
    dWx = xs.reshape(steps * n, d).T @ flat_da
    dWh = hs[:-1].reshape(steps * n, -1).T @ flat_da  # h_(t-1) meets da_t
    return _time_major(dx), dnext_h, dWx, dWh, flat_da.sum(axis=0)
