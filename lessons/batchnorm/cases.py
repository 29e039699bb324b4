"""Graded inputs for the batchnorm exercises, chosen to catch real bugs.

N = 2 is the smallest batch the contract grades (with it, the unbiased variance is twice the
biased one). Shapes with N != D expose a wrong axis; a square one lets a missing keepdims
run and give wrong values. Values around 1e3 with a spread near 10 test the variance formula
without punishing an honest one-pass E[x^2] - E[x]^2: its rounding error, about 1e-16 * 1e6,
stays far below the tolerance against a variance near 100. A feature whose variance is below
eps makes eps matter, and so exposes an eps outside the square root or an ignored eps
argument. gamma and beta are never ones and zeros, and momentum is never 0.5 (where a
flipped convention gives the right answer).

The backward cases keep eps no smaller than about the variance in their two edge cases,
because their gradients must also be checkable by central differences (the grader's
consistency check, tests/test_reference_gradients.py): at the default eps, the dx of a
batch of 2 is only about eps / var times dout (page 4), and a variance near 1e-5 makes the
output curve on a scale close to the step h = 1e-5.
"""

import numpy as np

from tutor import Case


def _params(rng, d):
    """gamma in +-[0.5, 2] (never 1), beta in [-1, 1]."""
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)
    return gamma, rng.uniform(-1.0, 1.0, d)


def _quiet(rng, n, center, backward):
    """A feature (or row) with variance below eps: about 4e-6 against the default 1e-5, or
    1e-4 against eps = 1e-3 for the backward. Returns the values and the eps to pass."""
    if backward:
        return center + 1e-2 * rng.standard_normal(n), (1e-3,)
    return center + 2e-3 * rng.standard_normal(n), ()


def _smallest(rng, shape, backward):
    """The smallest batch (or row): default eps, or eps = 0.1 near the variance."""
    if backward:
        return 0.5 * rng.standard_normal(shape), (0.1,)
    return 1.5 * rng.standard_normal(shape), ()


EPS_TEXT = {0.1: "0.1", 1e-3: "1e-3"}  # as the labels write them


def _given(extra):
    """The label's note for a case that passes eps: ", eps=0.1 given"."""
    return f", eps={EPS_TEXT[extra[0]]} given" if extra else ""


def _batches(rng, backward=False):
    """(label, x, extra args) for batchnorm: the statistics run down each column."""
    yield "N=4, D=3", rng.standard_normal((4, 3)), ()
    x, extra = _smallest(rng, (2, 5), backward)
    yield f"N=2 (smallest batch), D=5{_given(extra)}", x, extra
    x = 0.3 * rng.standard_normal((3, 7))
    yield "N=3, D=7, eps=0.1 given (var near eps)", x, (0.1,)
    x = 1e3 + rng.uniform(-50.0, 50.0, 4) + 10.0 * rng.standard_normal((8, 4))
    yield "N=8, D=4, values around 1e3 with spread 10", x, ()
    x = rng.standard_normal((6, 4))
    x[:, 2], extra = _quiet(rng, 6, 0.7, backward)
    yield f"N=6, D=4, feature 2 has variance below eps{_given(extra)}", x, extra
    yield "N=5, D=5 (square), eps=1e-3 given", 2.0 * rng.standard_normal((5, 5)) + 1.0, (1e-3,)


def _rows(rng, backward=False):
    """(label, x, extra args) for layernorm: the statistics run along each row."""
    yield "N=3, D=6", rng.standard_normal((3, 6)), ()
    x, extra = _smallest(rng, (5, 2), backward)
    yield f"N=5, D=2 (smallest rows){_given(extra)}", x, extra
    yield "N=4, D=4 (square), eps=1e-3 given", 2.0 * rng.standard_normal((4, 4)) - 1.0, (1e-3,)
    x = 1e3 + rng.uniform(-50.0, 50.0, (4, 1)) + 10.0 * rng.standard_normal((4, 8))
    yield "N=4, D=8, rows around 1e3 with spread 10", x, ()
    x = rng.standard_normal((3, 5))
    x[1], extra = _quiet(rng, 5, -0.4, backward)
    yield f"N=3, D=5, row 1 has variance below eps{_given(extra)}", x, extra
    yield "N=2, D=7, eps=0.1 given (var near eps)", 0.3 * rng.standard_normal((2, 7)), (0.1,)


def batchnorm_forward(rng):
    return [Case(label, (x, *_params(rng, x.shape[1]), *extra))
            for label, x, extra in _batches(rng)]


def batchnorm_backward(rng):
    return [Case(label, (rng.standard_normal(x.shape), x, *_params(rng, x.shape[1]), *extra))
            for label, x, extra in _batches(rng, backward=True)]


def layernorm_forward(rng):
    return [Case(label, (x, *_params(rng, x.shape[1]), *extra)) for label, x, extra in _rows(rng)]


def layernorm_backward(rng):
    return [Case(label, (rng.standard_normal(x.shape), x, *_params(rng, x.shape[1]), *extra))
            for label, x, extra in _rows(rng, backward=True)]


def running_stats_update(rng):
    """Old statistics are never 0 and 1, so an update that ignores them shows."""
    cases = []
    for label, n, d, momentum in [("N=4, D=3, default momentum", 4, 3, ()),
                                  ("N=2, D=5, momentum=0.7", 2, 5, (0.7,)),
                                  ("N=6, D=2, momentum=0.99", 6, 2, (0.99,)),
                                  ("N=3, D=4, momentum=0 (keep only the batch)", 3, 4, (0.0,)),
                                  ("N=5, D=3, momentum=1 (keep only the old)", 5, 3, (1.0,))]:
        x = rng.uniform(-2.0, 2.0, d) + rng.uniform(0.5, 2.0, d) * rng.standard_normal((n, d))
        running_mean = rng.uniform(-1.0, 1.0, d)
        running_var = rng.uniform(0.2, 3.0, d)
        cases.append(Case(label, (running_mean, running_var, x, *momentum)))
    x = 1e3 + 3.0 * rng.standard_normal((8, 4))
    cases.append(Case("N=8, D=4, values around 1e3, momentum=0.8",
                      (rng.uniform(990.0, 1010.0, 4), rng.uniform(5.0, 15.0, 4), x, 0.8)))
    x = rng.standard_normal((4, 3))
    x[:, 1] = 0.5 + 1e-2 * rng.standard_normal(4)  # a variance near 1e-4: eps would show
    cases.append(Case("N=4, D=3, feature 1 nearly constant, momentum=0.5",
                      (rng.uniform(-1.0, 1.0, 3), np.array([1.0, 2e-4, 0.5]), x, 0.5)))
    return cases


def race_inputs(name, rng, size=1024):
    """Bigger inputs for `tutor race` and the benchmarks: x is (size / 4, size), a batch of
    N = size / 4 examples (at least 2) of D = size features."""
    n, d = max(2, size // 4), size
    x = 2.0 * rng.standard_normal((n, d)) + 1.0
    gamma, beta = _params(rng, d)
    if name in ("batchnorm_forward", "layernorm_forward"):
        return x, gamma, beta
    if name in ("batchnorm_backward", "layernorm_backward"):
        return rng.standard_normal((n, d)), x, gamma, beta
    return rng.uniform(-1.0, 1.0, d), rng.uniform(0.5, 2.0, d), x  # running_stats_update


# The heavy functions to benchmark, each with `size` values for race_inputs: (small ones the
# CUDA simulator runs in a few seconds, realistic ones); `tutor race` takes the first of each.
BENCHMARKS = {
    "batchnorm_forward": ([8], [1024, 4096]),
    "batchnorm_backward": ([8], [1024, 4096]),
    "layernorm_forward": ([8], [1024, 4096]),
    "layernorm_backward": ([8], [1024, 4096]),
}
