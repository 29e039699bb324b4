"""Returns -mean log(1 - σ(s)) = mean BCE(s, 0), the positive loss D's fake term has."""

import numpy as np

EXERCISE = "minimax_generator_loss"
DIAGNOSIS = "sign-flipped"


def minimax_generator_loss(logits_fake):
    return bce_with_logits(logits_fake, np.zeros_like(logits_fake))
