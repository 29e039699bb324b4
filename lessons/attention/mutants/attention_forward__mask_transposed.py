"""Masks the past instead of the future (np.triu where np.tril belongs)."""

import numpy as np

EXERCISE = "attention_forward"
DIAGNOSIS = "attn-mask-transposed"


def attention_forward(q, k, v, causal=False):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if causal:
        allowed = np.triu(np.ones(scores.shape[1:], dtype=bool))
        scores = np.where(allowed, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) @ v
