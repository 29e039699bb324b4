"""Reference solutions for the attention lesson, in plain NumPy.

Each function is the readable version of the math in the lesson's pages; the grader
compares a learner's file against these, and `tutor solution` shows them once passed.
Batched matrices are (N, T, width); `a @ b` multiplies the last two axes batch by batch.
"""

import numpy as np


def _weights(q, k, causal):
    """P = softmax(q kᵀ / √d) over the keys, with keys after the query masked out if causal."""
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if causal:
        tq, tk = scores.shape[1:]
        scores = np.where(np.tri(tq, tk, dtype=bool), scores, -np.inf)  # key j <= query t
    scores = scores - scores.max(axis=-1, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def attention_forward(q, k, v, causal=False):
    """out = softmax(q kᵀ / √d) v, over keys; q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv)."""
    return _weights(q, k, causal) @ v


def attention_backward(dout, q, k, v, causal=False):
    """dv = Pᵀ dout, dP = dout vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS k/√d, dk = dSᵀ q/√d."""
    scale = 1.0 / np.sqrt(q.shape[-1])
    p = _weights(q, k, causal)
    dv = p.transpose(0, 2, 1) @ dout
    dp = dout @ v.transpose(0, 2, 1)
    ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))  # softmax's Jacobian times dP
    dq = ds @ k * scale
    dk = ds.transpose(0, 2, 1) @ q * scale
    return dq, dk, dv


def _heads(a, num_heads):
    """Column blocks of a (N, T, E): head j gets columns j*dh:(j+1)*dh."""
    dh = a.shape[-1] // num_heads
    return [a[..., j * dh:(j + 1) * dh] for j in range(num_heads)]


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Q, K, V = x Wq, x Wk, x Wv; head j attends on its column block; out = concat(heads) Wo."""
    return _multihead(x, Wq, Wk, Wv, num_heads, causal)[0] @ Wo


def _multihead(x, Wq, Wk, Wv, num_heads, causal):
    """The concatenated heads, and each head's (q, k, v) column blocks."""
    qkv = list(zip(*(_heads(x @ w, num_heads) for w in (Wq, Wk, Wv)), strict=True))
    concat = np.concatenate([attention_forward(q, k, v, causal) for q, k, v in qkv], axis=-1)
    return concat, qkv


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Back through Wo, each head, then the projections; returns (dx, dWq, dWk, dWv, dWo)."""
    e = x.shape[-1]
    concat, qkv = _multihead(x, Wq, Wk, Wv, num_heads, causal)
    dwo = concat.reshape(-1, e).T @ dout.reshape(-1, e)  # summed over every token
    dconcat = dout @ Wo.T
    grads = [attention_backward(dh, q, k, v, causal)
             for dh, (q, k, v) in zip(_heads(dconcat, num_heads), qkv, strict=True)]
    dq, dk, dv = (np.concatenate(g, axis=-1) for g in zip(*grads, strict=True))
    flat_x = x.reshape(-1, e)
    dwq, dwk, dwv = (flat_x.T @ g.reshape(-1, e) for g in (dq, dk, dv))
    dx = dq @ Wq.T + dk @ Wk.T + dv @ Wv.T  # x feeds all three projections
    return dx, dwq, dwk, dwv, dwo
