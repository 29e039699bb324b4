"""Splits heads with reshape(N, h, T, dh) directly, mixing tokens into heads."""

EXERCISE = "multihead_attention_forward"
DIAGNOSIS = "mha-heads-reshape"


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    n, t, e = x.shape
    dh = e // num_heads
    q, k, v = ((x @ w).reshape(n * num_heads, t, dh) for w in (Wq, Wk, Wv))
    heads = attention_forward(q, k, v, causal)  # (N*h, T, dh)
    return heads.reshape(n, t, e) @ Wo
