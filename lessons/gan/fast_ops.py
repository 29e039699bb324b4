"""The GAN losses compiled with Numba: the same functions as reference.py, as one loop.

Every loss here is ± a mean binary cross-entropy against a target, so one kernel does
them all: in a single pass over the logits, spread over the cores, it adds up the loss
terms and writes dlogits = scale · (σ(s) − t), with e^x and log(1 + z) from
lessons/jitmath.py (which vectorize, where math.exp and math.log1p do not). A constant
target (1 for real, 0 for fake) is passed as a one-element array, and a block's worth of
it made inside the kernel, so no array of ones as long as the batch is ever built.
"""

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath

BLOCK = 2048  # logits per task; their loss terms wait in a buffer (16 KiB) to be added up


@njit(cache=True, parallel=True, error_model="numpy")
def _bce(logits, targets, scale, dlogits):
    """Σ_i max(s, 0) − s·t + log(1 + e^(−|s|)) over the logits s and their targets t (one
    for all if `targets` has one); dlogits[i] = scale · (σ(s) − t)."""
    n = logits.size
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.empty(blocks)
    for block in prange(blocks):  # each block of logits in a task of its own
        lo = block * BLOCK
        s_block, d_block = logits[lo:lo + BLOCK], dlogits[lo:lo + BLOCK]
        t_block = (targets[lo:lo + BLOCK] if targets.size > 1
                   else np.full(s_block.size, targets[0]))  # 1 for real, 0 for fake
        terms = np.empty(s_block.size)
        for i in range(s_block.size):  # contiguous views and no sum: it vectorizes
            s, t = s_block[i], t_block[i]
            z = jitmath.exp(-abs(s))  # in (0, 1]: never overflows; serves loss and σ
            terms[i] = max(s, 0.0) - s * t + jitmath.log1p(z)
            d_block[i] = scale * ((1.0 if s >= 0.0 else z) / (1.0 + z) - t)
        sums[block] = jitmath.total(terms)
    return jitmath.total(sums)


def _mean_bce(logits, targets, sign=1.0):
    """sign · mean BCE(logits, targets) and its gradient; targets may be a scalar."""
    logits = np.ascontiguousarray(logits, dtype=np.float64).reshape(-1)
    targets = np.ascontiguousarray(targets, dtype=np.float64).reshape(-1)
    scale = sign / logits.size
    dlogits = np.empty(logits.shape)
    total = _bce(logits, targets, scale, dlogits)
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
