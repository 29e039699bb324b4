"""The gradient of one sample's loss, -σ(s), without the mean's 1/N."""

import numpy as np

EXERCISE = "minimax_generator_loss"
DIAGNOSIS = "grad-not-averaged"


def minimax_generator_loss(logits_fake):
    loss, _ = bce_with_logits(logits_fake, np.zeros_like(logits_fake))
    return -loss, -_sigmoid(logits_fake)
