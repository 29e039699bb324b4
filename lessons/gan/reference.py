"""Reference solutions for the GAN lesson, in plain NumPy.

Every loss takes raw logits s (the discriminator's last affine output, before the sigmoid)
and never forms σ(s) inside a log, so it is exact and finite for logits of any size.
"""

import numpy as np


def _sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), with e^(−|x|) so that exp never overflows."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def bce_with_logits(logits, targets):
    """loss = mean of max(s, 0) − s·t + log(1 + e^(−|s|)); dlogits = (σ(s) − t) / N."""
    n = logits.shape[0]
    terms = np.maximum(logits, 0.0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    dlogits = (_sigmoid(logits) - targets) / n
    return float(terms.mean()), dlogits


def discriminator_loss(logits_real, logits_fake):
    """loss = mean BCE(real, 1) + mean BCE(fake, 0), each mean over its own batch."""
    loss_real, dreal = bce_with_logits(logits_real, np.ones_like(logits_real))
    loss_fake, dfake = bce_with_logits(logits_fake, np.zeros_like(logits_fake))
    return loss_real + loss_fake, dreal, dfake


def generator_loss(logits_fake):
    """Non-saturating: loss = mean BCE(fake, 1) = −mean log σ(s); dfake = (σ(s) − 1) / N."""
    return bce_with_logits(logits_fake, np.ones_like(logits_fake))


def minimax_generator_loss(logits_fake):
    """Saturating: loss = mean log(1 − σ(s)) = −mean BCE(fake, 0); dfake = −σ(s) / N."""
    loss, dfake = bce_with_logits(logits_fake, np.zeros_like(logits_fake))
    return -loss, -dfake
