"""Clips the probabilities to [eps, 1 - eps] before the log, as Keras does."""

import numpy as np

EXERCISE = "bce_with_logits"
DIAGNOSIS = "bce-clipped"


def bce_with_logits(logits, targets):
    eps = 1e-7
    p = np.clip(_sigmoid(logits), eps, 1.0 - eps)
    loss = -np.mean(targets * np.log(p) + (1.0 - targets) * np.log(1.0 - p))
    return float(loss), (_sigmoid(logits) - targets) / len(logits)
