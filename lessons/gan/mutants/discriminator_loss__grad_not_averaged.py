"""Per-sample gradients: neither dreal nor dfake carries its batch's 1/N."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "grad-not-averaged"


def discriminator_loss(logits_real, logits_fake):
    loss_real, _ = bce_with_logits(logits_real, np.ones_like(logits_real))
    loss_fake, _ = bce_with_logits(logits_fake, np.zeros_like(logits_fake))
    return loss_real + loss_fake, _sigmoid(logits_real) - 1.0, _sigmoid(logits_fake)
