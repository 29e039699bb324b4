"""Computes in float32 to save memory, and returns a float32 gradient."""

import numpy as np

EXERCISE = "generator_loss"
DIAGNOSIS = "wrong-dtype"


def generator_loss(logits_fake):
    s = logits_fake.astype(np.float32)
    terms = np.maximum(-s, 0.0) + np.log1p(np.exp(-np.abs(s)))
    return float(terms.mean()), (_sigmoid(s) - 1.0).astype(np.float32) / len(s)
