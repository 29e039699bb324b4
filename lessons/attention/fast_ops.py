"""The attention functions compiled with Numba: the same functions as reference.py.

Attention is two matrix products around a softmax: S = q kᵀ / √d, then P v. Those products
are most of the arithmetic, and a BLAS library (called through NumPy's `@`) runs them near
the CPU's peak, far faster than any loop Numba compiles; so they stay NumPy calls, and
Numba compiles what BLAS cannot do: the softmax with its causal mask and, going back, its
Jacobian, each in one pass over the scores with the rows spread over the cores (`prange`).

The queries go a tile at a time, for every sequence and head at once (one NumPy call runs
a BLAS product per sequence and head), so that a tile's scores stay a few MiB and the
(T, T) matrix of weights is never stored. Under a causal mask a tile needs only the keys
up to its last query, so small tiles skip most of the masked half of the work, as the
fused kernels of cuda_ops.py skip it; without one, fewer and larger tiles are faster.
Heads are column blocks of width E / heads, viewed as an axis of their own, so the same
code serves attention (one head) and multi-head attention.
"""

import math

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath

TILE = 64  # queries per tile under a causal mask: small tiles skip more masked keys
TILE_BYTES = 16 << 20  # without a mask, tiles as large as fit in this: fewer, larger products


@njit(cache=True, parallel=True, error_model="numpy")
def _softmax(s, scale, first, causal):
    """In place, over the last axis of a tile of scores s (N, heads, rows, Tk) whose row r
    is query i = first + r: P_ij = e^(scale·(s_ij − m_i)) / Σ_j' e^(scale·(s_ij' − m_i))
    over the keys j <= i if causal (0 beyond), with m_i = max_j s_ij: no exponent is
    positive, so none overflows."""
    nb, heads, rows, tk = s.shape
    for row in prange(nb * heads * rows):  # every row on its own: spread over the cores
        r = row % rows
        x = s[row // (heads * rows), (row // rows) % heads, r]  # the row, a contiguous view
        keys = min(first + r + 1, tk) if causal else tk
        m = jitmath.largest(x[:keys])
        for j in range(keys):
            x[j] = jitmath.exp(scale * (x[j] - m))  # vectorizes, where math.exp would not
        inv = 1.0 / jitmath.total(x[:keys])
        for j in range(keys):
            x[j] *= inv
        for j in range(keys, tk):
            x[j] = 0.0


@njit(cache=True, parallel=True, error_model="numpy", fastmath=jitmath.ANY_ORDER)
def _softmax_backward(p, dp, scale):
    """In place of dp: dS_ij = P_ij (dP_ij − Σ_j' P_ij' dP_ij') · scale, the softmax's
    Jacobian applied to each row of dP, with the scores' 1/√d folded in."""
    nb, heads, rows, tk = p.shape
    for row in prange(nb * heads * rows):
        n, h, r = row // (heads * rows), (row // rows) % heads, row % rows
        pr, dr = p[n, h, r], dp[n, h, r]
        delta = 0.0
        for j in range(tk):
            delta += pr[j] * dr[j]
        for j in range(tk):
            dr[j] = pr[j] * (dr[j] - delta) * scale


def _tile_rows(q, k, heads, causal):
    """Queries per tile: `TILE` under a causal mask, else as many as `TILE_BYTES` of scores
    hold for every sequence and head (each product then fills BLAS's pipelines longer)."""
    if causal:
        return TILE
    return max(TILE, min(q.shape[1], TILE_BYTES // (8 * q.shape[0] * heads * k.shape[1])))


def _tiles(tq, tk, rows, causal):
    """(i0, i1, keys): each tile of queries i0 <= i < i1 and how many keys it sees."""
    for i0 in range(0, tq, rows):
        i1 = min(i0 + rows, tq)
        yield i0, i1, min(i1, tk) if causal else tk


def _heads(a, heads):
    """(N, T, E) -> a view (N, heads, T, E / heads): head h is columns h·w .. (h + 1)·w."""
    n, t, e = a.shape
    return a.reshape(n, t, heads, e // heads).transpose(0, 2, 1, 3)


def _products(buffer, a, b):
    """a @ bᵀ, batched over sequences and heads, into the front of a preallocated buffer:
    one BLAS product per sequence and head, all in one NumPy call."""
    shape = (*a.shape[:3], b.shape[2])
    out = buffer[:int(np.prod(shape))].reshape(shape)
    return np.matmul(a, b.transpose(0, 1, 3, 2), out=out)


def _attend(q, k, v, heads, causal):
    """out = softmax(q kᵀ / √d) v for every sequence and head of q (N, Tq, E)."""
    out = np.empty((q.shape[0], q.shape[1], v.shape[2]))
    q4, k4, v4, out4 = (_heads(a, heads) for a in (q, k, v, out))
    rows = _tile_rows(q, k, heads, causal)
    buffer = np.empty(q.shape[0] * heads * rows * k.shape[1])
    scale = 1.0 / math.sqrt(q4.shape[3])
    for i0, i1, keys in _tiles(q.shape[1], k.shape[1], rows, causal):
        s = _products(buffer, q4[:, :, i0:i1], k4[:, :, :keys])  # S = q kᵀ
        _softmax(s, scale, i0, causal)
        np.matmul(s, v4[:, :, :keys], out=out4[:, :, i0:i1])  # out = P v
    return out


def _attend_backward(dout, q, k, v, heads, causal, grads, out=None):
    """Into grads = (dq, dk, dv), zeros: the gradients of `_attend`, a tile of queries at a
    time. Each tile recomputes its P (it holds whole rows of keys, so nothing from the
    forward pass is needed), then dv += Pᵀ dout, dP = dout vᵀ, dS = softmax'(dP), dq = dS k,
    dk += dSᵀ q; and, if asked, the forward pass's out = P v, which then costs one product."""
    do4, q4, k4, v4, dq4, dk4, dv4 = (_heads(a, heads) for a in (dout, q, k, v, *grads))
    rows = _tile_rows(q, k, heads, causal)
    size = q.shape[0] * heads * rows * k.shape[1]
    buffers = np.empty(size), np.empty(size)
    scale = 1.0 / math.sqrt(q4.shape[3])
    for i0, i1, keys in _tiles(q.shape[1], k.shape[1], rows, causal):
        p = _products(buffers[0], q4[:, :, i0:i1], k4[:, :, :keys])
        _softmax(p, scale, i0, causal)
        if out is not None:
            np.matmul(p, v4[:, :, :keys], out=_heads(out, heads)[:, :, i0:i1])
        dv4[:, :, :keys] += p.transpose(0, 1, 3, 2) @ do4[:, :, i0:i1]
        ds = _products(buffers[1], do4[:, :, i0:i1], v4[:, :, :keys])  # dP = dout vᵀ
        _softmax_backward(p, ds, scale)
        np.matmul(ds, k4[:, :, :keys], out=dq4[:, :, i0:i1])
        dk4[:, :, :keys] += ds.transpose(0, 1, 3, 2) @ q4[:, :, i0:i1]


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def attention_forward(q, k, v, causal=False):
    """out = softmax(q kᵀ / √d) v, over keys; q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv)."""
    return _attend(_f64(q), _f64(k), _f64(v), 1, bool(causal))


def attention_backward(dout, q, k, v, causal=False):
    """dv = Pᵀ dout, dP = dout vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS k/√d, dk = dSᵀ q/√d."""
    q, k, v = _f64(q), _f64(k), _f64(v)
    grads = np.zeros(q.shape), np.zeros(k.shape), np.zeros(v.shape)
    _attend_backward(_f64(dout), q, k, v, 1, bool(causal), grads)
    return grads


def _qkv(x, Wq, Wk, Wv):
    """Q, K, V = x Wq, x Wk, x Wv as one product with [Wq | Wk | Wv] (one large product
    keeps BLAS busier than three), and views of its three column blocks."""
    e = x.shape[-1]
    qkv = x @ np.concatenate([_f64(Wq), _f64(Wk), _f64(Wv)], axis=1)
    return qkv, qkv[..., :e], qkv[..., e:2 * e], qkv[..., 2 * e:]


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Q, K, V = x Wq, x Wk, x Wv; head j attends on its column block; out = concat(heads) Wo."""
    _, q, k, v = _qkv(_f64(x), Wq, Wk, Wv)
    return _attend(q, k, v, int(num_heads), bool(causal)) @ _f64(Wo)


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Back through Wo, each head, then the projections; returns (dx, dWq, dWk, dWv, dWo)."""
    x, dout, Wo = _f64(x), _f64(dout), _f64(Wo)
    qkv, q, k, v = _qkv(x, Wq, Wk, Wv)
    e = x.shape[-1]
    concat = np.empty(q.shape)  # the heads' outputs, made by the backward pass on the way
    dqkv = np.zeros(qkv.shape)  # [dq | dk | dv], to leave through the one product again
    grads = dqkv[..., :e], dqkv[..., e:2 * e], dqkv[..., 2 * e:]
    _attend_backward(dout @ Wo.T, q, k, v, int(num_heads), bool(causal), grads, concat)
    flat_x, flat_dqkv = x.reshape(-1, e), dqkv.reshape(-1, 3 * e)
    w_qkv = np.concatenate([_f64(Wq), _f64(Wk), _f64(Wv)], axis=1)
    dx = dqkv @ w_qkv.T  # x feeds all three projections: their gradients add up
    dw_qkv = flat_x.T @ flat_dqkv
    return (dx, dw_qkv[:, :e].copy(), dw_qkv[:, e:2 * e].copy(), dw_qkv[:, 2 * e:].copy(),
            concat.reshape(-1, e).T @ dout.reshape(-1, e))
