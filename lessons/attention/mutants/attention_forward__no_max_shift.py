"""Exponentiates the raw scores: exp overflows (or underflows to 0/0) near ±1e3."""

import numpy as np

EXERCISE = "attention_forward"
DIAGNOSIS = "non-finite"


def attention_forward(q, k, v, causal=False):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    e = np.exp(scores)
    if causal:
        e = e * np.tri(scores.shape[1])
    return e / e.sum(axis=-1, keepdims=True) @ v
