"""The GAN losses compiled with Numba: the same functions as reference.py, as one loop.

Every loss here is ± a mean binary cross-entropy against a target, so one kernel does
them all: in a single pass over the logits, spread over the cores, it adds up the loss
terms and writes dlogits = scale · (σ(s) − t), with e^x and log(1 + z) from
lessons/jitmath.py (which vectorize, where math.exp and math.log1p do not). A constant
target (1 for real, 0 for fake) is passed as a one-element array read with stride 0, so
no array of ones is ever built.
"""

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath


@njit(cache=True, parallel=True, error_model="numpy", fastmath=jitmath.ANY_ORDER)
def _bce(logits, targets, step, scale, dlogits):
    """Σ_i max(s, 0) − s·t + log(1 + e^(−|s|)), with t = targets[i · step];
    dlogits[i] = scale · (σ(s) − t). One e^(−|s|) serves both the loss and σ(s)."""
    total = 0.0
    for i in prange(logits.size):  # prange adds up `total` across threads
        s, t = logits[i], targets[i * step]
        z = jitmath.exp(-abs(s))  # in (0, 1]: never overflows
        total += max(s, 0.0) - s * t + jitmath.log1p(z)
        sigma = (1.0 if s >= 0.0 else z) / (1.0 + z)
        dlogits[i] = scale * (sigma - t)
    return total


def _mean_bce(logits, targets, sign=1.0):
    """sign · mean BCE(logits, targets) and its gradient; targets may be a scalar."""
    logits = np.ascontiguousarray(logits, dtype=np.float64)
    targets = np.ascontiguousarray(targets, dtype=np.float64).reshape(-1)
    step = 0 if targets.size == 1 else 1  # a scalar target: every i reads targets[0]
    scale = sign / logits.size
    dlogits = np.empty(logits.shape)
    total = _bce(logits, targets, step, scale, dlogits)
    return float(scale * total), dlogits


def bce_with_logits(logits, targets):
    """loss = mean of max(s, 0) − s·t + log(1 + e^(−|s|)); dlogits = (σ(s) − t) / N."""
    return _mean_bce(logits, targets)


def discriminator_loss(logits_real, logits_fake):
    """loss = mean BCE(real, 1) + mean BCE(fake, 0), each mean over its own batch."""
    loss_real, dreal = _mean_bce(logits_real, 1.0)
    loss_fake, dfake = _mean_bce(logits_fake, 0.0)
    return loss_real + loss_fake, dreal, dfake


def generator_loss(logits_fake):
    """Non-saturating: loss = mean BCE(fake, 1) = −mean log σ(s); dfake = (σ(s) − 1) / N."""
    return _mean_bce(logits_fake, 1.0)


def minimax_generator_loss(logits_fake):
    """Saturating: loss = mean log(1 − σ(s)) = −mean BCE(fake, 0); dfake = −σ(s) / N."""
    return _mean_bce(logits_fake, 0.0, sign=-1.0)
