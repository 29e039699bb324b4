"""Scales every head's scores by 1/√E instead of 1/√dh."""

import numpy as np

EXERCISE = "multihead_attention_forward"
DIAGNOSIS = "mha-scale-e"


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    n, t, e = x.shape
    dh = e // num_heads

    def split(a):
        return a.reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)

    q, k, v = split(x @ Wq), split(x @ Wk), split(x @ Wv)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(e)
    if causal:
        scores = np.where(np.tri(t, dtype=bool), scores, -np.inf)
    w = np.exp(scores - scores.max(axis=-1, keepdims=True))
    heads = (w / w.sum(axis=-1, keepdims=True)) @ v
    return heads.transpose(0, 2, 1, 3).reshape(n, t, e) @ Wo
