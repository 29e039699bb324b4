"""The attention functions compiled with Numba: the same functions as reference.py, as loops.

The loops follow the fused kernels of cuda_ops.py rather than the reference's matrices: no
(T, T) matrix of weights is ever stored. The forward pass keeps, per query row, the log of
the softmax's normalizer, lse = m + log Σ_j e^(s_j − m); the backward pass recomputes each
weight as P_ij = e^(s_ij − lse_i) and uses rowsum(dP ⊙ P) = rowsum(dout ⊙ out). One loop
over query rows gives dq, one over key rows gives dk and dv, so every row is independent
and `prange` spreads the rows over the CPU's cores. Heads are column blocks of width
E / heads, so the same loops serve attention (one head) and multi-head attention.
"""

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _score(q, k, n, i, j, c0, d, scale):
    """s_ij = q_i · k_j / √d over the columns c0 .. c0 + d of one head."""
    acc = 0.0
    for c in range(c0, c0 + d):
        acc += q[n, i, c] * k[n, j, c]
    return acc * scale


@njit(cache=True, parallel=True)
def _forward(q, k, v, heads, causal, out, lse):
    """out_i = Σ_j P_ij v_j per head; lse[n, h, i] = log Σ_j e^(s_ij)."""
    nb, tq, eq = q.shape
    tk, ev = k.shape[1], v.shape[2]
    d, dv = eq // heads, ev // heads
    scale = 1.0 / math.sqrt(d)
    for row in prange(nb * heads * tq):
        n, h, i = row // (heads * tq), (row // tq) % heads, row % tq
        keys = min(i + 1, tk) if causal else tk  # query i sees keys 0 .. keys - 1
        s = np.empty(keys)
        m = -np.inf
        for j in range(keys):
            s[j] = _score(q, k, n, i, j, h * d, d, scale)
            m = max(m, s[j])
        total = 0.0
        for j in range(keys):
            s[j] = math.exp(s[j] - m)  # <= 1: no overflow
            total += s[j]
        for c in range(h * dv, (h + 1) * dv):
            acc = 0.0
            for j in range(keys):
                acc += s[j] * v[n, j, c]
            out[n, i, c] = acc / total
        lse[n, h, i] = m + math.log(total)


@njit(cache=True, parallel=True)
def _backward_dq(dout, q, k, v, out, lse, heads, causal, dq):
    """dq_i = Σ_j dS_ij k_j / √d with dS_ij = P_ij (dP_ij − δ_i), δ_i = dout_i · out_i."""
    nb, tq, eq = q.shape
    tk, ev = k.shape[1], v.shape[2]
    d, dv = eq // heads, ev // heads
    scale = 1.0 / math.sqrt(d)
    for row in prange(nb * heads * tq):
        n, h, i = row // (heads * tq), (row // tq) % heads, row % tq
        delta = 0.0
        for c in range(h * dv, (h + 1) * dv):
            delta += dout[n, i, c] * out[n, i, c]
        for c in range(h * d, (h + 1) * d):
            dq[n, i, c] = 0.0
        for j in range(min(i + 1, tk) if causal else tk):
            p = math.exp(_score(q, k, n, i, j, h * d, d, scale) - lse[n, h, i])
            dp = 0.0
            for c in range(h * dv, (h + 1) * dv):
                dp += dout[n, i, c] * v[n, j, c]
            ds = p * (dp - delta) * scale
            for c in range(h * d, (h + 1) * d):
                dq[n, i, c] += ds * k[n, j, c]


@njit(cache=True, parallel=True)
def _backward_dkdv(dout, q, k, v, out, lse, heads, causal, dk, dv_):
    """dv_j = Σ_i P_ij dout_i and dk_j = Σ_i dS_ij q_i / √d, one key row at a time."""
    nb, tq, eq = q.shape
    tk, ev = k.shape[1], v.shape[2]
    d, dv = eq // heads, ev // heads
    scale = 1.0 / math.sqrt(d)
    for row in prange(nb * heads * tk):
        n, h, j = row // (heads * tk), (row // tk) % heads, row % tk
        for c in range(h * d, (h + 1) * d):
            dk[n, j, c] = 0.0
        for c in range(h * dv, (h + 1) * dv):
            dv_[n, j, c] = 0.0
        for i in range(j if causal else 0, tq):  # with a causal mask only queries i >= j see j
            p = math.exp(_score(q, k, n, i, j, h * d, d, scale) - lse[n, h, i])
            dp = 0.0
            delta = 0.0
            for c in range(h * dv, (h + 1) * dv):
                dp += dout[n, i, c] * v[n, j, c]
                delta += dout[n, i, c] * out[n, i, c]
                dv_[n, j, c] += p * dout[n, i, c]
            ds = p * (dp - delta) * scale
            for c in range(h * d, (h + 1) * d):
                dk[n, j, c] += ds * q[n, i, c]


@njit(cache=True, parallel=True)
def _matmul(a, b, out):
    """out = a @ b for 2-D arrays; rows in parallel."""
    n, d = a.shape
    m = b.shape[1]
    for i in prange(n):
        for j in range(m):
            out[i, j] = 0.0
        for kk in range(d):  # i, k, j: the inner loop walks rows of b and out contiguously
            aik = a[i, kk]
            for j in range(m):
                out[i, j] += aik * b[kk, j]


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _attend(q, k, v, heads, causal):
    """(out, lse) of every head."""
    out = np.empty((q.shape[0], q.shape[1], v.shape[2]))
    lse = np.empty((q.shape[0], heads, q.shape[1]))
    _forward(q, k, v, heads, causal, out, lse)
    return out, lse


def _attend_backward(dout, q, k, v, heads, causal):
    out, lse = _attend(q, k, v, heads, causal)
    dq, dk, dv = np.empty(q.shape), np.empty(k.shape), np.empty(v.shape)
    _backward_dq(dout, q, k, v, out, lse, heads, causal, dq)
    _backward_dkdv(dout, q, k, v, out, lse, heads, causal, dk, dv)
    return dq, dk, dv, out


def _mm(a, b):
    """a @ b for a (..., D) and b (D, M), through the 2-D kernel."""
    a2 = _f64(a).reshape(-1, a.shape[-1])
    out = np.empty((a2.shape[0], b.shape[1]))
    _matmul(a2, _f64(b), out)
    return out.reshape(a.shape[:-1] + (b.shape[1],))


def _weight_grad(a, g):
    """Σ over every token of aᵀ g: (N, T, E) and (N, T, F) -> (E, F)."""
    return _mm(_f64(a.reshape(-1, a.shape[-1]).T), g.reshape(-1, g.shape[-1]))


def attention_forward(q, k, v, causal=False):
    """out = softmax(q kᵀ / √d) v, over keys; q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv)."""
    return _attend(_f64(q), _f64(k), _f64(v), 1, bool(causal))[0]


def attention_backward(dout, q, k, v, causal=False):
    """dv = Pᵀ dout, dP = dout vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS k/√d, dk = dSᵀ q/√d."""
    return _attend_backward(_f64(dout), _f64(q), _f64(k), _f64(v), 1, bool(causal))[:3]


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Q, K, V = x Wq, x Wk, x Wv; head j attends on its column block; out = concat(heads) Wo."""
    q, k, v = _mm(x, Wq), _mm(x, Wk), _mm(x, Wv)
    return _mm(_attend(q, k, v, int(num_heads), bool(causal))[0], Wo)


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Back through Wo, each head, then the projections; returns (dx, dWq, dWk, dWv, dWo)."""
    x, dout = _f64(x), _f64(dout)
    q, k, v = _mm(x, Wq), _mm(x, Wk), _mm(x, Wv)
    dconcat = _mm(dout, _f64(Wo.T))
    dq, dk, dv, concat = _attend_backward(dconcat, q, k, v, int(num_heads), bool(causal))
    dx = _mm(dq, _f64(Wq.T)) + _mm(dk, _f64(Wk.T)) + _mm(dv, _f64(Wv.T))
    return (dx, _weight_grad(x, dq), _weight_grad(x, dk), _weight_grad(x, dv),
            _weight_grad(concat, dout))
