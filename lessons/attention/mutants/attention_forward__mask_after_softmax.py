"""Zeroes the future weights after the softmax, without renormalizing the rows."""

import numpy as np

EXERCISE = "attention_forward"
DIAGNOSIS = "attn-mask-after-softmax"


def attention_forward(q, k, v, causal=False):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    if causal:
        p = p * np.tril(np.ones(p.shape[1:]))
    return p @ v
