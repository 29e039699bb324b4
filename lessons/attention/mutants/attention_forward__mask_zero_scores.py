"""Masks by multiplying the scores by 0, so the future keys still get weight e^0."""

import numpy as np

EXERCISE = "attention_forward"
DIAGNOSIS = "attn-mask-zero-scores"


def attention_forward(q, k, v, causal=False):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if causal:
        scores = scores * np.tril(np.ones(scores.shape[1:]))
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) @ v
