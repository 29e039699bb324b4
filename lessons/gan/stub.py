"""Generative adversarial networks: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check gan` to grade them (or `tutor check gan.bce_with_logits`
for one exercise). Read the lesson's pages first; the hints ladder is
there when you are stuck.

Conventions for every function:
- Inputs are 1-D float64 NumPy arrays of raw logits s: the
  discriminator's output before the sigmoid, so D(x) = σ(s) = 1 / (1 +
  exp(-s)). Logits can be as large as about 1e3 in magnitude; the loss
  and gradients must stay finite and right (no inf, no nan).
- Every loss is a mean over its batch; when there are two batches
  (real and fake), each term is a mean over its own batch, and the two
  batches may have different lengths.
- Return the loss as a Python float and each gradient as a new float64
  array of the shape of its input: the gradient of the returned loss
  with respect to that input. Never modify an input in place and never
  return an input itself.
"""

import numpy as np


def bce_with_logits(logits, targets):
    """Binary cross-entropy from logits, averaged over the batch, and its gradient.

    Inputs:
    - logits: float64 array of shape (N,), raw scores s.
    - targets: float64 array of shape (N,), each in [0, 1]; not only 0
      and 1 (soft labels such as 0.9 are allowed).

    Returns a tuple (loss, dlogits):
    - loss: Python float, the mean over N of -(t log σ(s) + (1 - t)
      log(1 - σ(s))), computed without ever forming σ(s) inside a log.
    - dlogits: float64 array of shape (N,), d loss / d logits.
    """
    raise NotImplementedError("bce_with_logits")


def discriminator_loss(logits_real, logits_fake):
    """The discriminator's loss: real examples are labelled 1, generated ones 0.

    Inputs:
    - logits_real: float64 array of shape (N_real,), D's logits on real
      data.
    - logits_fake: float64 array of shape (N_fake,), D's logits on
      generated data; N_fake may differ from N_real.

    Returns a tuple (loss, dreal, dfake):
    - loss: Python float, mean BCE(logits_real, 1) + mean
      BCE(logits_fake, 0), each mean over its own batch.
    - dreal: float64 array of shape (N_real,), d loss / d logits_real.
    - dfake: float64 array of shape (N_fake,), d loss / d logits_fake.
    """
    raise NotImplementedError("discriminator_loss")


def generator_loss(logits_fake):
    """The generator's non-saturating loss: it wants D to call its samples real.

    Inputs:
    - logits_fake: float64 array of shape (N,), D's logits on generated
      data.

    Returns a tuple (loss, dfake):
    - loss: Python float, mean BCE(logits_fake, 1) = mean of -log σ(s).
    - dfake: float64 array of shape (N,), d loss / d logits_fake.
    """
    raise NotImplementedError("generator_loss")


def minimax_generator_loss(logits_fake):
    """The generator's saturating loss from the original minimax game.

    Inputs:
    - logits_fake: float64 array of shape (N,), D's logits on generated
      data.

    Returns a tuple (loss, dfake):
    - loss: Python float, mean of log(1 - σ(s)), which the generator
      minimizes (a negative number; it is -1000 for s = 1000, and about
      0 for s = -1000).
    - dfake: float64 array of shape (N,), d loss / d logits_fake = -σ(s)
      / N.
    """
    raise NotImplementedError("minimax_generator_loss")
