"""Returns the value V that the discriminator maximizes, and its gradient: the loss is -V."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "sign-flipped"


def discriminator_loss(logits_real, logits_fake):
    loss_real, dreal = bce_with_logits(logits_real, np.ones_like(logits_real))
    loss_fake, dfake = bce_with_logits(logits_fake, np.zeros_like(logits_fake))
    return -(loss_real + loss_fake), -dreal, -dfake
