"""Graded inputs for the LSTM exercises, chosen to catch real bugs.

Every gate block of Wx, Wh and b is drawn on its own, so gates taken in the wrong order
give wrong numbers. H != D exposes Wx and Wh used in each other's place (D = H hides it
from the shapes, but not from the values); N = 1 and D = 1 expose squeezed axes; T = 1 and a long
sequence test the ends of the loop over time; a loss on the last step only sends every
gradient back through the carried dh and dc; pre-activations near ±1e3 overflow
exp(x) / (1 + exp(x)). A naive 1 / (1 + exp(-x)) overflows there too, but to the right
value (1 / inf = 0), so it passes: a warning is not a wrong answer.
"""

import math

import numpy as np

from tutor import Case


def _weights(rng, d, h, forget_bias=0.0):
    """Wx (D, 4H), Wh (H, 4H), b (4H,): every entry drawn independently, scaled so the
    pre-activations are of order 1; forget_bias is added to the forget block of b."""
    Wx = rng.standard_normal((d, 4 * h)) / math.sqrt(d)
    Wh = rng.standard_normal((h, 4 * h)) / math.sqrt(h)
    b = 0.5 * rng.standard_normal(4 * h)
    b[h:2 * h] += forget_bias
    return Wx, Wh, b


def _large_bias(rng, h):
    """b with half of its 4H entries at ±750 .. ±1000: those gates saturate, and
    exp(a) overflows for a > 709.8."""
    b = rng.standard_normal(4 * h)
    big = rng.permutation(4 * h)[: 2 * h]
    b[big] = rng.choice([-1.0, 1.0], 2 * h) * rng.uniform(750.0, 1000.0, 2 * h)
    return b


STEP_SHAPES = [("N=3, D=4, H=5", 3, 4, 5), ("N=1, D=3, H=2", 1, 3, 2),
               ("N=4, D=6, H=3 (D > H)", 4, 6, 3), ("N=2, D=4, H=4 (D = H)", 2, 4, 4),
               ("N=3, D=1, H=2 (one input feature)", 3, 1, 2)]


def _step_inputs(rng):
    """(label, x, prev_h, prev_c, Wx, Wh, b)."""
    for label, n, d, h in STEP_SHAPES:
        x, prev_h = rng.standard_normal((n, d)), np.tanh(rng.standard_normal((n, h)))
        prev_c = 1.5 * rng.standard_normal((n, h))
        yield (label, x, prev_h, prev_c, *_weights(rng, d, h))
    n, d, h = 3, 2, 4
    Wx, Wh, _ = _weights(rng, d, h)
    yield ("large pre-activations (|a| up to 1e3)", rng.standard_normal((n, d)),
           np.tanh(rng.standard_normal((n, h))), rng.standard_normal((n, h)), Wx, Wh,
           _large_bias(rng, h))


def lstm_step_forward(rng):
    return [Case(label, tuple(args)) for label, *args in _step_inputs(rng)]


def lstm_step_backward(rng):
    cases = []
    for label, x, prev_h, prev_c, Wx, Wh, b in _step_inputs(rng):
        dnext_h, dnext_c = rng.standard_normal(prev_h.shape), rng.standard_normal(prev_c.shape)
        cases.append(Case(label, (dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b)))
    dnext_h, dnext_c, *inputs = cases[0].args
    cases.append(Case("no gradient on next_c (as at the last step)",
                      (dnext_h, np.zeros(dnext_c.shape), *inputs)))
    return cases


SEQUENCE_SHAPES = [  # label, N, T, D, H, forget bias
    ("N=2, T=5, D=3, H=4", 2, 5, 3, 4, 0.0),
    ("T=1", 3, 1, 4, 2, 0.0),
    ("N=1, T=6, D=2, H=3", 1, 6, 2, 3, 0.0),
    ("N=3, T=4, D=6, H=2 (D > H)", 3, 4, 6, 2, 0.0),
    ("N=2, T=3, D=1, H=3 (one input feature)", 2, 3, 1, 3, 0.0),
    ("N=2, T=3, D=3, H=3 (D = H)", 2, 3, 3, 3, 0.0),
    ("long sequence: T=40, forget bias 2", 2, 40, 3, 4, 2.0),
]


def _sequence_inputs(rng):
    """(label, x, h0, Wx, Wh, b)."""
    for label, n, t, d, h, forget_bias in SEQUENCE_SHAPES:
        yield (label, rng.standard_normal((n, t, d)), np.tanh(rng.standard_normal((n, h))),
               *_weights(rng, d, h, forget_bias))
    n, t, d, h = 2, 4, 3, 3
    Wx, Wh, _ = _weights(rng, d, h)
    yield ("large pre-activations (|a| up to 1e3)", rng.standard_normal((n, t, d)),
           np.tanh(rng.standard_normal((n, h))), Wx, Wh, _large_bias(rng, h))


def lstm_forward(rng):
    return [Case(label, tuple(args)) for label, *args in _sequence_inputs(rng)]


def lstm_backward(rng):
    cases = [Case(label, (rng.standard_normal((x.shape[0], x.shape[1], h0.shape[1])), x, h0,
                          *rest))
             for label, x, h0, *rest in _sequence_inputs(rng)]
    # every step before the last is reached only through the carried dh and dc
    n, t, d, h = 2, 12, 3, 4
    dh = np.zeros((n, t, h))
    dh[:, -1] = rng.standard_normal((n, h))
    cases.append(Case("loss on the last step only: T=12, forget bias 1",
                      (dh, rng.standard_normal((n, t, d)), np.tanh(rng.standard_normal((n, h))),
                       *_weights(rng, d, h, 1.0))))
    return cases


def race_inputs(name, rng, size=128):
    """Bigger inputs for `tutor race` and the benchmarks: ``size`` is the widths D = H, with a
    batch of N = min(size, 32) and sequences of T = min(size, 64) steps (so the CUDA
    simulator's sizes stay tiny)."""
    n, d, h = min(size, 32), size, size
    steps = min(size, 64)
    Wx, Wh, b = _weights(rng, d, h, 1.0)
    if name == "lstm_step_forward":
        return rng.standard_normal((n, d)), rng.standard_normal((n, h)), \
            rng.standard_normal((n, h)), Wx, Wh, b
    if name == "lstm_step_backward":
        return rng.standard_normal((n, h)), rng.standard_normal((n, h)), \
            rng.standard_normal((n, d)), rng.standard_normal((n, h)), \
            rng.standard_normal((n, h)), Wx, Wh, b
    x, h0 = rng.standard_normal((n, steps, d)), rng.standard_normal((n, h))
    if name == "lstm_forward":
        return x, h0, Wx, Wh, b
    return rng.standard_normal((n, steps, h)), x, h0, Wx, Wh, b


# The heavy functions to benchmark, each with `size` values for race_inputs: (small ones the
# CUDA simulator runs in a few seconds, realistic ones); `tutor race` takes the first of each.
BENCHMARKS = {
    "lstm_step_forward": ([2, 4], [128, 512]),
    "lstm_forward": ([2, 3], [128, 256]),
    "lstm_backward": ([2, 3], [128, 256]),
}
