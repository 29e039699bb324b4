"""Forgets to scale the scores by 1/√d."""

import numpy as np

EXERCISE = "attention_forward"
DIAGNOSIS = "attn-no-scale"


def attention_forward(q, k, v, causal=False):
    scores = q @ k.transpose(0, 2, 1)
    if causal:
        scores = np.where(np.tri(scores.shape[1], dtype=bool), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) @ v
