"""Generators for the numeric quiz questions: each takes a seeded numpy Generator and returns
(params for the prompt, the answer, the wrong answers it exists to catch), the answer computed
by the lesson's reference code. The quiz redraws until every wrong answer is rejected."""

import numpy as np

from .reference import dropout_backward, dropout_forward

_PS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.6, 0.75, 0.8)  # no 0.5: there 1/p and 1/(1-p) agree


def _p(rng) -> float:
    return float(rng.choice(_PS))


def _value(rng, low=0.5, high=4.0) -> float:
    v = round(float(rng.uniform(low, high)), 1)
    return -v if rng.random() < 0.5 else v


def _vector(values, fmt=".1f") -> str:
    return "[" + ", ".join(f"{v:{fmt}}" for v in values) + "]"


def _wrong_scales(value, p):
    """`value` (already divided by 1 - p) with the scale mistakes made instead."""
    return {"1 / p, the drop probability taken for the keep probability": value * (1 - p) / p,
            "no scaling": value * (1 - p),
            "times (1 - p) instead of divided by it": value * (1 - p) ** 2}


def scale_factor(rng):
    p = _p(rng)
    answer = dropout_forward(np.ones(1), np.ones(1), p)[0]
    return {"p": p}, float(answer), _wrong_scales(float(answer), p)


def forward_kept(rng):
    p, x = _p(rng), _value(rng)
    out = dropout_forward(np.array([x]), np.array([1.0]), p)[0]
    return {"x": x, "p": p}, float(out), _wrong_scales(float(out), p)


def backward_kept(rng):
    p, x, g = _p(rng), _value(rng), _value(rng, 0.2, 2.0)
    dx = dropout_backward(np.array([g]), np.array([x]), np.array([1.0]), p)[0]
    wrong = _wrong_scales(float(dx), p)
    wrong["x / (1 - p), the input in place of the upstream gradient"] = x / (1 - p)
    return {"x": x, "g": g, "p": p}, float(dx), wrong


def forward_sum(rng):
    p = _p(rng)
    x = np.array([_value(rng) for _ in range(4)])
    mask = np.zeros(4)
    mask[rng.permutation(4)[: rng.integers(1, 4)]] = 1.0  # keep 1 to 3 of the 4 units
    out = dropout_forward(x, mask, p)
    wrong = _wrong_scales(float(out.sum()), p)
    wrong["every entry kept"] = float(x.sum() / (1 - p))
    return {"x": _vector(x), "mask": _vector(mask, ".0f"), "p": p}, float(out.sum()), wrong
