"""Concatenates the two batches and takes one mean over N_real + N_fake."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "pooled-mean"


def discriminator_loss(logits_real, logits_fake):
    logits = np.concatenate([logits_real, logits_fake])
    targets = np.concatenate([np.ones_like(logits_real), np.zeros_like(logits_fake)])
    loss, dlogits = bce_with_logits(logits, targets)
    n = len(logits_real)
    return loss, dlogits[:n], dlogits[n:]
