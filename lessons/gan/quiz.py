"""Generators for the GAN lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
"""

import math

import numpy as np

from .reference import (
    bce_with_logits,
    discriminator_loss,
    generator_loss,
    minimax_generator_loss,
)

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05
SOFT_TARGETS = (0.0, 1.0, 0.9, 0.1, 0.8, 0.2)


def _tenths(rng, low, high, nonzero=True):
    """A number k / 10 with low <= k / 10 <= high (optionally not 0)."""
    while True:
        k = int(rng.integers(round(low * 10), round(high * 10) + 1))
        if k != 0 or not nonzero:
            return k / 10


def _num(v):
    return f"{v:.1f}"


def _list(values):
    return "[" + ", ".join(_num(v) for v in values) + "]"


def bce_by_hand(rng):
    """Binary cross-entropy of one logit s against a (possibly soft) target t."""
    while True:
        s = _tenths(rng, -3, 3)
        t = float(SOFT_TARGETS[int(rng.integers(0, len(SOFT_TARGETS)))])
        answer, _ = bce_with_logits(np.array([s]), np.array([t]))
        if answer >= SMALLEST:
            break
    log_term = math.log1p(math.exp(-abs(s)))
    sig = 1 / (1 + math.exp(-s))
    wrong = {"max(s, 0) − s·t, the log term left out": max(s, 0.0) - s * t,
             "the log base 10": answer / math.log(10)}
    if t != 1.0:
        wrong["−t·log σ(s), the (1 − t) term left out"] = -t * math.log(sig)
    if t not in (0.0, 1.0):  # a soft target rounded to a hard one
        wrong["t rounded to 0 or 1"] = float(
            bce_with_logits(np.array([s]), np.array([float(t > 0.5)]))[0])
    return {"s": _num(s), "t": f"{t:g}", "max": _num(max(s, 0.0)),
            "st": f"{s * t:.2f}", "log": f"{log_term:.4f}",
            "result": f"{answer:.3f}"}, answer, wrong


def discriminator_gradient(rng):
    """One entry of dreal = (σ(r) − 1) / N_real or dfake = σ(f) / N_fake, N_real = 3, N_fake = 2."""
    while True:
        real = np.array([_tenths(rng, -2, 3) for _ in range(3)])
        fake = np.array([_tenths(rng, -3, 2) for _ in range(2)])
        side = "real" if rng.random() < 0.5 else "fake"
        i = int(rng.integers(0, 3 if side == "real" else 2))
        _, dreal, dfake = discriminator_loss(real, fake)
        answer = float(dreal[i] if side == "real" else dfake[i])
        if abs(answer) >= 0.02:
            break
    s = float(real[i] if side == "real" else fake[i])
    sig = float(bce_with_logits(np.array([s]), np.array([0.0]))[1][0])  # σ(s) - 0, N = 1
    if side == "real":
        formula = f"(σ({_num(s)}) − 1) / 3 = ({sig:.4f} − 1) / 3"
        n, other = 3, sig / 3
    else:
        formula = f"σ({_num(s)}) / 2 = {sig:.4f} / 2"
        n, other = 2, (sig - 1) / 2
    wrong = {"divided by N_real + N_fake = 5, one pooled mean": answer * n / 5,
             "not divided by the batch size": answer * n,
             "the labels swapped (real as 0, fake as 1)": other}
    return {"real": _list(real), "fake": _list(fake), "side": side, "i": i,
            "name": "dreal" if side == "real" else "dfake", "formula": formula,
            "result": f"{answer:.4f}"}, answer, wrong


def saturation_ratio(rng):
    """|non-saturating dfake| / |minimax dfake| for one fake logit s < 0: e^(−s)."""
    s = -int(rng.integers(3, 15)) / 2  # -1.5 ... -7.0
    _, ns = generator_loss(np.array([s]))
    _, mm = minimax_generator_loss(np.array([s]))
    answer = float(ns[0] / mm[0])
    wrong = {"e^s, the ratio upside down": math.exp(s),
             "|the non-saturating gradient| alone, 1 − σ(s)": float(-ns[0])}
    return {"s": _num(s), "d": f"{-float(mm[0]):.5f}", "ns": f"{float(ns[0]):.5f}",
            "mm": f"{float(mm[0]):.5f}", "result": f"{answer:.1f}"}, answer, wrong


def minimax_loss(rng):
    """The minimax generator loss mean log(1 − σ(s)) of two fake logits."""
    while True:
        fake = np.array([_tenths(rng, -2, 3) for _ in range(2)])
        answer, _ = minimax_generator_loss(fake)
        if abs(answer) >= SMALLEST:
            break
    terms = [-float(bce_with_logits(np.array([s]), np.array([0.0]))[0]) for s in fake]
    wrong = {"the sign flipped (a positive loss)": -answer,
             "the sum instead of the mean": 2 * answer,
             "mean log σ(s), the non-saturating term": -float(generator_loss(fake)[0])}
    return {"fake": _list(fake), "terms": ", ".join(f"{v:.4f}" for v in terms),
            "result": f"{answer:.3f}"}, answer, wrong
