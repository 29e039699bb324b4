"""Clips the logits in place to [-100, 100] to keep exp from overflowing."""

import numpy as np

EXERCISE = "bce_with_logits"
DIAGNOSIS = "mutated-input"


def bce_with_logits(logits, targets):
    np.clip(logits, -100.0, 100.0, out=logits)
    p = 1.0 / (1.0 + np.exp(-logits))
    loss = -np.mean(targets * np.log(p) + (1.0 - targets) * np.log(1.0 - p))
    return float(loss), (p - targets) / len(logits)
