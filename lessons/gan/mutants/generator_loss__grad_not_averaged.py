"""The gradient of one sample's loss, σ(s) − 1, without the mean's 1/N."""

import numpy as np

EXERCISE = "generator_loss"
DIAGNOSIS = "grad-not-averaged"


def generator_loss(logits_fake):
    loss, _ = bce_with_logits(logits_fake, np.ones_like(logits_fake))
    return loss, _sigmoid(logits_fake) - 1.0
