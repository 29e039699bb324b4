"""dWo = doutᵀ C, the transpose of Cᵀ dout."""

import numpy as np

EXERCISE = "multihead_attention_backward"
DIAGNOSIS = "transposed"


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    n, t, e = x.shape
    dh = e // num_heads
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    dq, dk, dv, concat = (np.zeros((n, t, e)) for _ in range(4))
    dconcat = dout @ Wo.T
    for j in range(num_heads):
        c = slice(j * dh, (j + 1) * dh)
        concat[..., c] = attention_forward(q[..., c], k[..., c], v[..., c], causal)
        dq[..., c], dk[..., c], dv[..., c] = attention_backward(dconcat[..., c], q[..., c],
                                                                k[..., c], v[..., c], causal)
    xf = x.reshape(-1, e)
    dwo = dout.reshape(-1, e).T @ concat.reshape(-1, e)
    dwq, dwk, dwv = (xf.T @ g.reshape(-1, e) for g in (dq, dk, dv))
    return dq @ Wq.T + dk @ Wk.T + dv @ Wv.T, dwq, dwk, dwv, dwo
