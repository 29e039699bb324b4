"""Generators for the batchnorm lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
"""

import numpy as np

from .reference import (
    batchnorm_backward,
    batchnorm_forward,
    layernorm_forward,
    running_stats_update,
)

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05
EPS = 1e-5


def _tenths(rng, low, high):
    """A nonzero number k / 10 with low <= k / 10 <= high."""
    while True:
        k = int(rng.integers(round(low * 10), round(high * 10) + 1))
        if k != 0:
            return k / 10


def _num(v, digits=1):
    return f"{v:.{digits}f}"


def _factor(text):
    """A number inside a formula: negatives in parentheses, '2 · (-0.5)'."""
    return f"({text})" if text.startswith("-") else text


def _ints(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _list(values, digits=4):
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


def _spread_ints(rng, n, low, high):
    """n integers in [low, high] that are not all equal."""
    while True:
        values = rng.integers(low, high + 1, size=n).astype(np.float64)
        if values.std() > 0.5:
            return values


def _x_hat(values, ddof=0):
    return (values - values.mean()) / np.sqrt(values.var(ddof=ddof) + EPS)


def bn_output(rng):
    """One entry of batchnorm_forward for one feature of a batch of 4."""
    while True:
        xs = _spread_ints(rng, 4, -5, 5)
        gamma, beta = _tenths(rng, -2, 2), _tenths(rng, -1, 1)
        i = int(rng.integers(0, 4))
        out = batchnorm_forward(xs[:, None], np.array([gamma]), np.array([beta]))
        answer = float(out[i, 0])
        if abs(answer) >= SMALLEST:
            break
    centred = xs[i] - xs.mean()
    wrong = {"the unbiased variance (divide by N − 1)": gamma * _x_hat(xs, 1)[i] + beta,
             "divided by the variance, not its square root": gamma * centred / xs.var() + beta,
             "x̂ without γ and β": float(_x_hat(xs)[i])}
    return {"xs": _ints(xs), "g": _num(gamma), "b": _num(beta), "i": i, "xi": int(xs[i]),
            "mu": f"{xs.mean():g}", "mu_f": _factor(f"{xs.mean():g}"), "var": f"{xs.var():g}",
            "g_f": _factor(_num(gamma)), "b_f": _factor(_num(beta)),
            "xhat": f"{_x_hat(xs)[i]:.4f}", "xhat_f": _factor(f"{_x_hat(xs)[i]:.4f}"),
            "result": f"{answer:.3f}"}, answer, wrong


def running_var(rng):
    """The running variance after one update with a batch of 4."""
    while True:
        xs = _spread_ints(rng, 4, -4, 4)
        old_mean, old_var = _tenths(rng, -1, 1), _tenths(rng, 0.5, 3)
        momentum = float(rng.choice([0.7, 0.8, 0.9, 0.95]))
        _, var_new = running_stats_update(np.array([old_mean]), np.array([old_var]),
                                          xs[:, None], momentum)
        answer = float(var_new[0])
        if abs(answer) >= SMALLEST:
            break
    wrong = {"the unbiased batch variance (PyTorch's)":
                 momentum * old_var + (1 - momentum) * xs.var(ddof=1),
             "momentum weighing the batch (PyTorch's convention)":
                 (1 - momentum) * old_var + momentum * xs.var(),
             "the batch's standard deviation averaged in":
                 momentum * old_var + (1 - momentum) * xs.std()}
    return {"xs": _ints(xs), "v0": _num(old_var), "m0": _num(old_mean), "m": f"{momentum:g}",
            "one_minus": f"{1 - momentum:.2g}", "var": f"{xs.var():g}",
            "unbiased": f"{xs.var(ddof=1):.4g}", "result": f"{answer:.3f}"}, answer, wrong


def ln_output(rng):
    """One entry of layernorm_forward for a row of 4 features."""
    while True:
        xs = _spread_ints(rng, 4, -5, 5)
        j = int(rng.integers(0, 4))
        gamma, beta = np.ones(4), np.zeros(4)
        gamma[j], beta[j] = _tenths(rng, -2, 2), _tenths(rng, -1, 1)
        answer = float(layernorm_forward(xs[None, :], gamma, beta)[0, j])
        if abs(answer) >= SMALLEST:
            break
    wrong = {"the unbiased variance (divide by D − 1)":
                 gamma[j] * _x_hat(xs, 1)[j] + beta[j],
             "divided by the variance, not its square root":
                 gamma[j] * (xs[j] - xs.mean()) / xs.var() + beta[j],
             "x̂ without γ and β": float(_x_hat(xs)[j])}
    return {"xs": _ints(xs), "j": j, "xj": int(xs[j]), "g": _num(gamma[j]), "b": _num(beta[j]),
            "mu": f"{xs.mean():g}", "mu_f": _factor(f"{xs.mean():g}"), "var": f"{xs.var():g}",
            "g_f": _factor(_num(gamma[j])), "b_f": _factor(_num(beta[j])),
            "xhat_f": _factor(f"{_x_hat(xs)[j]:.4f}"), "xhat": f"{_x_hat(xs)[j]:.4f}",
            "result": f"{answer:.3f}"}, answer, wrong


def bn_dx(rng):
    """One entry of batchnorm_backward's dx for one feature of a batch of 3, gamma = 1."""
    while True:
        xs = _spread_ints(rng, 3, -3, 3)
        dout = np.array([_tenths(rng, -2, 2) for _ in range(3)])
        i = int(rng.integers(0, 3))
        dx, _, _ = batchnorm_backward(dout[:, None], xs[:, None], np.ones(1), np.zeros(1))
        answer = float(dx[i, 0])
        if abs(answer) >= SMALLEST:
            break
    x_hat = _x_hat(xs)
    s = 1 / np.sqrt(xs.var() + EPS)
    wrong = {"s · (dx̂ − mean dx̂), the variance path left out":
                 s * (dout[i] - dout.mean()),
             "s · dx̂, both paths through the statistics left out": s * dout[i],
             "(s/N) · (N·dx̂ − Σ dx̂ − x̂ · Σ dx̂·x̂) with the unbiased variance":
                 float(_unbiased_dx(xs, dout)[i])}
    return {"xs": _ints(xs), "dout": _list(dout, 1), "i": i,
            "xhat": _list(x_hat), "s": f"{s:.4f}",
            "s1": f"{dout.sum():.4g}", "s2": f"{(dout * x_hat).sum():.4f}",
            "result": f"{answer:.3f}"}, answer, wrong


def _unbiased_dx(xs, dout):
    """The closed-form dx, with s and x̂ from the unbiased variance (a common slip)."""
    n = len(xs)
    s = 1 / np.sqrt(xs.var(ddof=1) + EPS)
    x_hat = (xs - xs.mean()) * s
    return (s / n) * (n * dout - dout.sum() - x_hat * (dout * x_hat).sum())
