"""Divides both gradients by N_real, the length of the first batch."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "wrong-batch-size"


def discriminator_loss(logits_real, logits_fake):
    n = len(logits_real)
    loss_real = np.mean(np.maximum(-logits_real, 0.0) + np.log1p(np.exp(-np.abs(logits_real))))
    loss_fake = np.mean(np.maximum(logits_fake, 0.0) + np.log1p(np.exp(-np.abs(logits_fake))))
    dreal = (_sigmoid(logits_real) - 1.0) / n
    dfake = _sigmoid(logits_fake) / n
    return float(loss_real + loss_fake), dreal, dfake
