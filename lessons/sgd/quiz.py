"""Generators for the sgd lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
"""

import numpy as np

from .reference import adam_step, nesterov_step, sgd_momentum_step, sgd_step

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _tenths(rng, low, high, nonzero=True):
    """A number k / 10 with low <= k / 10 <= high (optionally not 0)."""
    while True:
        k = int(rng.integers(round(low * 10), round(high * 10) + 1))
        if k != 0 or not nonzero:
            return k / 10


def _num(v):
    """A short display of a generated value: '-1.5', '0.3', '0.05'."""
    return f"{v:g}"


def _factor(v):
    """A number as a factor in a product: negatives in parentheses, '0.9 · (-0.5)'."""
    text = _num(v) if isinstance(v, float) else v
    return f"({text})" if text.startswith("-") else text


def _one(fn, arrays, *scalars):
    """Call a reference step with one-element arrays for `arrays`; return plain floats."""
    out = fn(*(np.array([a], dtype=np.float64) for a in arrays), *scalars)
    return tuple(float(o[0]) for o in out) if isinstance(out, tuple) else float(out[0])


def gd_quadratic(rng):
    """k steps of gradient descent on L = h w² / 2 from w0: w_k = (1 - lr h)^k w0."""
    while True:
        h = float(rng.choice([2.0, 4.0, 5.0]))  # not 1: there h·w and w look alike
        lr = float(rng.choice([0.1, 0.2, 0.3, 0.4])) / h * float(rng.choice([1, 2, 3, 4]))
        lr = round(lr, 3)
        w0 = _tenths(rng, -2, 2)
        steps = int(rng.integers(2, 4))
        w = w0
        for _ in range(steps):
            w = _one(sgd_step, (w, h * w), lr)
        if abs(w) >= SMALLEST and abs(1 - lr * h) > 0.05:
            break
    factor = 1 - lr * h
    shape = ("The factor is negative, so w also changes sign every step: the zigzag."
             if factor < 0 else "The factor is between 0 and 1: w shrinks without changing sign.")
    wrong = {"one step fewer": factor ** (steps - 1) * w0,
             "one step more": factor ** (steps + 1) * w0,
             "(1 − lr)^k · w₀, the curvature h left out": (1 - lr) ** steps * w0,
             "w₀ − k · lr · h · w₀, the gradient at w₀ reused every step":
                 w0 - steps * lr * h * w0}
    return {"h": _num(h), "lr": _num(lr), "w0": _factor(w0), "k": steps,
            "factor": f"{factor:.3g}", "factor_f": _factor(f"{factor:.3g}"), "shape": shape,
            "result": f"{w:.4g}"}, w, wrong


def momentum_step(rng):
    """One step of sgd_momentum_step on scalars; the answer is w_new."""
    while True:
        w, dw, v = _tenths(rng, -2, 2), _tenths(rng, -2, 2), _tenths(rng, -1, 1)
        lr = float(rng.choice([0.1, 0.2, 0.5]))
        mu = float(rng.choice([0.5, 0.8, 0.9]))
        w_new, v_new = _one(sgd_momentum_step, (w, dw, v), lr, mu)
        if abs(w_new) >= SMALLEST and abs(v_new) >= SMALLEST:
            break
    wrong = {"plain SGD, w − lr·dw (the velocity ignored)": w - lr * dw,
             "w + v, moved by the old velocity": w + v,
             "w − lr·(μ·v + dw), PyTorch's convention with this v":
                 w - lr * (mu * v + dw),
             "w − lr·(μ·v + (1 − μ)·dw), a moving average of gradients":
                 w - lr * (mu * v + (1 - mu) * dw)}
    return {"w": _num(w), "dw": _num(dw), "v": _num(v), "lr": _num(lr), "mu": _num(mu),
            "v_f": _factor(v), "dw_f": _factor(dw), "v_new": f"{v_new:.4g}",
            "v_new_f": _factor(f"{v_new:.4g}"), "result": f"{w_new:.4g}"}, w_new, wrong


def nesterov(rng):
    """One step of nesterov_step on scalars; the answer is w_new."""
    while True:
        w, dw, v = _tenths(rng, -2, 2), _tenths(rng, -2, 2), _tenths(rng, -1, 1)
        lr = float(rng.choice([0.1, 0.2, 0.5]))
        mu = float(rng.choice([0.5, 0.8, 0.9]))
        w_new, v_new = _one(nesterov_step, (w, dw, v), lr, mu)
        if abs(w_new) >= SMALLEST:
            break
    plain, _ = _one(sgd_momentum_step, (w, dw, v), lr, mu)
    wrong = {"w + v_new, plain momentum": plain,
             "w + μ·v + (1 + μ)·v_new, the middle term's sign flipped":
                 w + mu * v + (1 + mu) * v_new,
             "w − μ·v + v_new, the factor (1 + μ) left out": w - mu * v + v_new}
    return {"w": _num(w), "dw": _num(dw), "v": _num(v), "lr": _num(lr), "mu": _num(mu),
            "v_f": _factor(v), "v_new": f"{v_new:.4g}", "v_new_f": _factor(f"{v_new:.4g}"),
            "onemu": _num(1 + mu), "result": f"{w_new:.4g}"}, w_new, wrong


def adam_uncorrected(rng):
    """|m_1| / sqrt(v_1) after Adam's first update from zero state: (1 - b1) / sqrt(1 - b2)."""
    beta1 = float(rng.choice([0.8, 0.9, 0.95]))
    beta2 = float(rng.choice([0.99, 0.995, 0.999]))
    g = _tenths(rng, -3, 3)
    _, m1, v1 = _one(adam_step, (0.0, g, 0.0, 0.0), 1, 0.1, beta1, beta2)
    ratio = abs(m1) / np.sqrt(v1)
    wrong = {"1: the step is lr, as it is with the bias correction": 1.0,
             "(1 − β1)/(1 − β2), the square root left out": (1 - beta1) / (1 - beta2),
             "β1/√β2, the betas where 1 − beta belongs": beta1 / np.sqrt(beta2)}
    return {"beta1": _num(beta1), "beta2": _num(beta2), "g": _num(g),
            "m1": f"{m1:.4g}", "v1": f"{v1:.4g}", "result": f"{ratio:.4g}"}, float(ratio), wrong


def adam_second_step(rng):
    """w_2 - w_1 for Adam's second update, from zero state, with default betas and lr = 0.1."""
    while True:
        g1, g2 = _tenths(rng, -2, 2), _tenths(rng, -2, 2)
        w1, m1, v1 = _one(adam_step, (0.0, g1, 0.0, 0.0), 1, 0.1)
        w2, m2, v2 = _one(adam_step, (w1, g2, m1, v1), 2, 0.1)
        step = w2 - w1
        if abs(step) >= 0.02:
            break
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    wrong = {"−lr·m₂/√v₂, without the bias correction": -0.1 * m2 / np.sqrt(v2),
             "the correction of t = 1 at t = 2": -0.1 * (m2 / 0.1) / np.sqrt(v2 / 0.001),
             "−lr·sign(g₂): a step of exactly lr": -0.1 * np.sign(g2),
             "−lr·m̂/v̂, the square root left out": -0.1 * m_hat / v_hat}
    return {"g1": _num(g1), "g2": _num(g2), "m2": f"{m2:.4g}", "v2": f"{v2:.4g}",
            "m_hat": f"{m_hat:.4g}", "v_hat": f"{v_hat:.4g}",
            "result": f"{step:.4g}"}, step, wrong
