"""Labels real data 0 and generated data 1."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "d-labels-swapped"


def discriminator_loss(logits_real, logits_fake):
    loss_real, dreal = bce_with_logits(logits_real, np.zeros_like(logits_real))
    loss_fake, dfake = bce_with_logits(logits_fake, np.ones_like(logits_fake))
    return loss_real + loss_fake, dreal, dfake
