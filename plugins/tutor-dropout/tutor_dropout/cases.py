"""Graded inputs for the dropout lesson: one function per exercise.

Masks keep each unit with probability 1 - p. For p > 0 every mask keeps at least one unit
and drops at least one, so that each known mistake changes some number in every such case.
Every p other than 0.5 also tells 1/(1 - p) apart from 1/p.
"""

import numpy as np

from tutor import Case

# (label, shape, p): identity, the usual p, a large scale, N = 1, 3-D, non-square, 1-D
SHAPES = [
    ("p = 0: the identity (every unit kept)", (4, 5), 0.0),
    ("p = 0.5, (N, D) = (8, 6)", (8, 6), 0.5),
    ("p = 0.9: keep 1 in 10, scale by 10", (16, 10), 0.9),
    ("N = 1, p = 0.3", (1, 7), 0.3),
    ("3-D input (N, C, L) = (2, 3, 4), p = 0.25", (2, 3, 4), 0.25),
    ("non-square (3, 11), p = 0.6", (3, 11), 0.6),
    ("1-D vector of 9, p = 0.2", (9,), 0.2),
]


def _mask(rng, shape, p):
    """A 0.0/1.0 float64 mask, each entry 1.0 with probability 1 - p."""
    mask = (rng.random(shape) >= p).astype(np.float64)
    if p > 0 and mask.size > 1:
        flat = mask.reshape(-1)  # a view: writes go to mask
        if flat.all():
            flat[rng.integers(flat.size)] = 0.0
        if not flat.any():
            flat[rng.integers(flat.size)] = 1.0
    return mask


def _values(rng, shape, scale=2.0):
    """Float64 values away from zero, of both signs, so scaled or zeroed entries show."""
    magnitude = rng.uniform(0.5, 1.5, size=shape) * scale
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return magnitude * sign


def dropout_forward(rng) -> list[Case]:
    cases = []
    for label, shape, p in SHAPES:
        x = _values(rng, shape)
        cases.append(Case(label, (x, _mask(rng, shape, p), p)))
    x = _values(rng, (5, 4), scale=1e3)
    cases.append(Case("large magnitudes (|x| ~ 1e3), p = 0.4", (x, _mask(rng, (5, 4), 0.4), 0.4)))
    return cases


def dropout_backward(rng) -> list[Case]:
    cases = []
    for label, shape, p in SHAPES:
        dout = _values(rng, shape, scale=1.0)
        x = _values(rng, shape)
        cases.append(Case(label, (dout, x, _mask(rng, shape, p), p)))
    return cases
