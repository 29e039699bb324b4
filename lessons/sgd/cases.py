"""Graded inputs for the sgd exercises, chosen to catch real bugs.

Every stateful case has a nonzero state somewhere (code that ignores v or m fails), and
momentum = 0 and lr = 0 appear where they change what the update must be. w is once about
1e6 times larger than its update: the grader compares w_new - w, so a wrong step cannot
hide behind the size of w. Adam is graded at t = 1 (bias correction largest), at a small
t, and at a t so large that the correction has faded, with its defaults left out in some
cases and non-default betas and eps passed in others.
"""

import numpy as np

from tutor import Case


def _signed(rng, shape, low=0.5, high=1.5):
    """Magnitudes in [low, high] with random signs: no element near 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, shape)


def sgd_step(rng):
    n = rng.standard_normal
    return [
        Case("1-D, lr = 0.1", (n(6), n(6), 0.1)),
        Case("2-D (4, 3), lr = 0.01", (n((4, 3)), n((4, 3)), 0.01)),
        Case("one row (1, 5), lr = 0.5", (n((1, 5)), n((1, 5)), 0.5)),
        Case("lr = 0: w_new has w's values, in a new array", (n((2, 3)), n((2, 3)), 0.0)),
        Case("w ~ 1e3, about 1e6 times its update", (1e3 * _signed(rng, (3, 4), 1.0, 2.0),
                                                     _signed(rng, (3, 4)), 1e-3)),
    ]


def _momentum_cases(rng):
    """(label, w, dw, v, lr, momentum) for the two momentum methods."""
    n = rng.standard_normal
    yield "v = 0 (the first step), 1-D", n(6), n(6), np.zeros(6), 0.1, 0.9
    yield "v nonzero, 2-D (3, 4)", n((3, 4)), n((3, 4)), 0.3 * n((3, 4)), 0.05, 0.9
    yield "momentum = 0 with v nonzero: plain SGD", n(5), n(5), n(5), 0.1, 0.0
    yield "lr = 0: only the old velocity moves w", n((2, 3)), n((2, 3)), n((2, 3)), 0.0, 0.5
    # the velocity points the way the gradient pushes, as after a few steps downhill
    dw = _signed(rng, (2, 5))
    yield ("w ~ 1e3, about 1e6 times its update", 1e3 * _signed(rng, (2, 5), 1.0, 2.0), dw,
           -1e-3 * np.sign(dw) * rng.uniform(0.5, 1.5, (2, 5)), 1e-3, 0.9)
    yield "one row (1, 4), momentum = 0.99", n((1, 4)), n((1, 4)), n((1, 4)), 0.02, 0.99


def sgd_momentum_step(rng):
    return [Case(label, tuple(args)) for label, *args in _momentum_cases(rng)]


def nesterov_step(rng):
    return sgd_momentum_step(rng)


def _adam_history(rng, shape, steps, scale=1.0, beta1=0.9, beta2=0.999, signs=None):
    """m and v after `steps` updates of gradients of about `scale` (same signs if given)."""
    m, v = np.zeros(shape), np.zeros(shape)
    for _ in range(steps):
        g = scale * (_signed(rng, shape) if signs is None else signs * rng.uniform(0.5, 1.5, shape))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
    return m, v


def adam_step(rng):
    n = rng.standard_normal
    cases = []
    dw = n(6)
    dw[2] = 0.0  # a coordinate that has never had a gradient: it must not move, nor be nan
    dw[4] = 1e-4 * np.sign(dw[4])  # a tiny gradient, where the place of eps shows
    cases.append(Case("t = 1 (m = v = 0, bias correction largest); gradients 0 and 1e-4",
                      (n(6), dw, np.zeros(6), np.zeros(6), 1, 0.01)))
    m, v = _adam_history(rng, (3, 4), 2)
    cases.append(Case("t = 3, m and v nonzero, 2-D (3, 4)", (n((3, 4)), n((3, 4)), m, v, 3, 1e-3)))
    m, v = _adam_history(rng, 5, 3, scale=1e-2, beta1=0.5, beta2=0.9)
    cases.append(Case("beta1 = 0.5, beta2 = 0.9, eps = 1e-3 passed; gradients ~1e-2",
                      (n(5), 1e-2 * _signed(rng, 5), m, v, 4, 0.01, 0.5, 0.9, 1e-3)))
    m, v = _adam_history(rng, (2, 3), 60)
    cases.append(Case("t = 100000 (the bias correction has faded)",
                      (n((2, 3)), n((2, 3)), m, v, 100_000, 1e-3)))
    signs = rng.choice([-1.0, 1.0], size=(2, 4))
    m, v = _adam_history(rng, (2, 4), 9, signs=signs)  # a steady gradient: |m| ~ sqrt(v)
    cases.append(Case("w ~ 1e3, about 1e6 times its update, t = 10",
                      (1e3 * _signed(rng, (2, 4), 1.0, 2.0), signs * rng.uniform(0.5, 1.5, (2, 4)),
                       m, v, 10, 1e-3)))
    m, v = _adam_history(rng, 4, 5)
    cases.append(Case("lr = 0: w stays, m and v still move", (n(4), n(4), m, v, 6, 0.0)))
    return cases


def race_inputs(name, rng, size=1_000_000):
    """Bigger inputs for `tutor race`: ``size`` is the number of weights (a 1-D array)."""
    w, dw = rng.standard_normal(size), rng.standard_normal(size)
    if name == "sgd_step":
        return w, dw, 0.01
    if name in ("sgd_momentum_step", "nesterov_step"):
        return w, dw, 0.1 * rng.standard_normal(size), 0.01, 0.9
    m, v = 0.1 * rng.standard_normal(size), rng.uniform(0.1, 1.0, size)
    return w, dw, m, v, 10, 1e-3


# The functions `tutor race` and the benchmarks time, with `size` values for race_inputs:
# (quick sizes, small enough for the CUDA simulator; realistic sizes: a small net's weights
# and a ResNet-18's); `tutor race` takes the first of each.
BENCHMARKS = {
    "sgd_step": ([256, 1024], [10**6, 10**7]),
    "sgd_momentum_step": ([256, 1024], [10**6, 10**7]),
    "nesterov_step": ([256, 1024], [10**6, 10**7]),
    "adam_step": ([256, 1024], [10**6, 10**7]),
}
