"""Generators for the LSTM lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code on
one LSTM unit (N = D = H = 1) whose gates have the values the question states, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected: where
the cell is small, tanh(c) ≈ c and the tanh-less answers would pass).
"""

import math

import numpy as np

from .reference import lstm_step_backward, lstm_step_forward

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _pick(rng, low, high):
    """A number k / 10 with low <= k / 10 <= high, not 0."""
    while True:
        k = int(rng.integers(round(low * 10), round(high * 10) + 1))
        if k:
            return k / 10


def _logit(s):
    """σ⁻¹(s) = log(s / (1 - s))."""
    return math.log(s / (1.0 - s))


def _unit(i, f, o, g):
    """Inputs (x, prev_h, Wx, Wh, b) of one unit whose gates are exactly i, f, o and g:
    x and the weights are 0, so the pre-activations are the biases σ⁻¹(i), ..., tanh⁻¹(g)."""
    b = np.array([_logit(i), _logit(f), _logit(o), math.atanh(g)])
    return np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 4)), np.zeros((1, 4)), b


def _gates(rng):
    """Gate values a learner can multiply by hand: i, f, o in 0.1 .. 0.9, g in -0.9 .. 0.9."""
    return (_pick(rng, 0.1, 0.9), _pick(rng, 0.1, 0.9), _pick(rng, 0.1, 0.9),
            _pick(rng, -0.9, 0.9))


def _factor(v, digits=1):
    """A number as a factor in a product: negatives in parentheses, '0.5 · (-0.4)'."""
    return f"({v:.{digits}f})" if v < 0 else f"{v:.{digits}f}"


def _shown(i, f, o, g, c):
    """The question's numbers as text, and as factors for the explanations."""
    return {"i": f"{i:.1f}", "f": f"{f:.1f}", "o": f"{o:.1f}", "g": f"{g:.1f}", "c": f"{c:.1f}",
            "g_factor": _factor(g), "c_factor": _factor(c)}


def _step(i, f, o, g, c):
    x, prev_h, Wx, Wh, b = _unit(i, f, o, g)
    next_h, next_c = lstm_step_forward(x, prev_h, np.array([[c]]), Wx, Wh, b)
    return float(next_h[0, 0]), float(next_c[0, 0])


def cell_update(rng):
    """c_t = f c_(t-1) + i g for one unit."""
    while True:
        i, f, o, g = _gates(rng)
        c = _pick(rng, -2.0, 2.0)
        _, answer = _step(i, f, o, g, c)
        if abs(answer) >= SMALLEST:
            break
    params = _shown(i, f, o, g, c)
    params["result"] = f"{answer:.3f}"
    wrong = {"f·c_(t−1) + g, the input gate left out": f * c + g,
             "c_(t−1) + i·g, the forget gate left out": c + i * g,
             "i·c_(t−1) + f·g, the gates swapped": i * c + f * g}
    return params, answer, wrong


def hidden_output(rng):
    """h_t = o tanh(c_t) for one unit."""
    while True:
        i, f, o, g = _gates(rng)
        c = _pick(rng, -2.0, 2.0)
        answer, next_c = _step(i, f, o, g, c)
        if abs(answer) >= SMALLEST:
            break
    params = _shown(i, f, o, g, c)
    params.update(c_next=f"{next_c:.3f}", tanh_c=_factor(math.tanh(next_c), 4),
                  result=f"{answer:.3f}")
    wrong = {"o·c_t, the tanh left out": o * next_c,
             "tanh(c_t), the output gate left out": math.tanh(next_c),
             "tanh(o·c_t), the gate inside the tanh": math.tanh(o * next_c)}
    return params, answer, wrong


def dprev_c(rng):
    """dprev_c = (dnext_c + dnext_h o (1 - tanh² c_t)) f for one unit."""
    while True:
        i, f, o, g = _gates(rng)
        c, dh, dc = _pick(rng, -2.0, 2.0), _pick(rng, -2.0, 2.0), _pick(rng, -2.0, 2.0)
        x, prev_h, Wx, Wh, b = _unit(i, f, o, g)
        grads = lstm_step_backward(np.array([[dh]]), np.array([[dc]]), x, prev_h,
                                   np.array([[c]]), Wx, Wh, b)
        answer = float(grads[2][0, 0])
        if abs(answer) >= SMALLEST:
            break
    _, next_c = _step(i, f, o, g, c)
    total = answer / f
    params = _shown(i, f, o, g, c)
    params.update(dh=f"{dh:.1f}", dc=f"{dc:.1f}", c_next=f"{next_c:.3f}",
                  local=f"{1 - math.tanh(next_c) ** 2:.4f}", total=f"{total:.4f}",
                  result=f"{answer:.3f}")
    wrong = {"1 − c_t² in place of 1 − tanh²(c_t)": (dc + dh * o * (1 - next_c**2)) * f,
             "the forget gate left out": total,
             "dnext_c · f, the path through h left out": dc * f}
    return params, answer, wrong


def cell_path(rng):
    """The gradient carried back along the cell path over k steps: dc_0 = dc_k · Π f_t."""
    while True:
        k = int(rng.integers(3, 5))
        forgets = [_pick(rng, 0.5, 0.9) for _ in range(k)]
        upstream = _pick(rng, 1.0, 3.0)
        dc = np.array([[upstream]])
        for f in reversed(forgets):  # back through the steps, with no gradient on any h
            x, prev_h, Wx, Wh, b = _unit(0.5, f, 0.5, 0.5)
            dc = lstm_step_backward(np.zeros((1, 1)), dc, x, prev_h, np.ones((1, 1)),
                                    Wx, Wh, b)[2]
        answer = float(dc[0, 0])
        if abs(answer) >= SMALLEST:
            break
    shown = ", ".join(f"{f:.1f}" for f in forgets)
    product = " · ".join(f"{f:.1f}" for f in forgets)
    wrong = {"the first step's forget gate left out": upstream * math.prod(forgets[1:]),
             "the last step's forget gate left out": upstream * math.prod(forgets[:-1]),
             "the upstream gradient unchanged": upstream}
    return {"k": k, "forgets": shown, "upstream": f"{upstream:.1f}",
            "product": f"{upstream:.1f} · {product}", "result": f"{answer:.4f}"}, answer, wrong
