"""Multiplies by σ'(s) = σ(1 - σ) but forgets the log's 1 / (1 - σ)."""

import numpy as np

EXERCISE = "minimax_generator_loss"
DIAGNOSIS = "minimax-log-chain"


def minimax_generator_loss(logits_fake):
    d = _sigmoid(logits_fake)
    softplus = np.maximum(logits_fake, 0.0) + np.log1p(np.exp(-np.abs(logits_fake)))
    return float(-softplus.mean()), -d * (1.0 - d) / len(logits_fake)
