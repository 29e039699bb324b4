"""Sums the per-sample losses instead of averaging them (the gradient is right)."""

import numpy as np

EXERCISE = "generator_loss"
DIAGNOSIS = "loss-summed"


def generator_loss(logits_fake):
    terms = np.maximum(-logits_fake, 0.0) + np.log1p(np.exp(-np.abs(logits_fake)))
    return float(terms.sum()), (_sigmoid(logits_fake) - 1.0) / len(logits_fake)
