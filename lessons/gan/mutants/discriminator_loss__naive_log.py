"""-mean log D(x) - mean log(1 - D(G(z))) with D = σ(s): log(0) for large logits."""

import numpy as np

EXERCISE = "discriminator_loss"
DIAGNOSIS = "non-finite"


def discriminator_loss(logits_real, logits_fake):
    d_real = 1.0 / (1.0 + np.exp(-logits_real))
    d_fake = 1.0 / (1.0 + np.exp(-logits_fake))
    loss = -np.mean(np.log(d_real)) - np.mean(np.log(1.0 - d_fake))
    return float(loss), (d_real - 1.0) / len(logits_real), d_fake / len(logits_fake)
