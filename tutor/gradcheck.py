"""Numerical gradient checks by central differences.

``numeric_gradient`` is the textbook loop (one pair of evaluations per coordinate), kept
for tests and small inputs. ``check_gradient`` is what tutor runs: it compares the analytic
gradient with central differences along a few random directions and at a few sampled
coordinates, which costs a handful of evaluations whatever the input size and still
catches any wrong gradient (a random direction is orthogonal to the error with
probability zero).
"""

from collections.abc import Callable, Sequence

import numpy as np

Scalar = Callable[[Sequence[np.ndarray]], float]


def numeric_gradient(f: Scalar, args: Sequence[np.ndarray], i: int,
                     h: float = 1e-5) -> np.ndarray:
    """d f(args) / d args[i], one coordinate at a time: (f(x + h e) - f(x - h e)) / 2h."""
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    x = args[i]
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(args)
        x[idx] = old - h
        minus = f(args)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def check_gradient(f: Scalar, args: Sequence[np.ndarray], i: int, analytic: np.ndarray, *,
                   directions: int = 3, coords: int = 3, h: float = 1e-6,
                   rng: np.random.Generator | None = None) -> float:
    """Largest relative error between ``analytic`` and central differences of f along random
    directions and at random coordinates of args[i]."""
    rng = rng or np.random.default_rng(0)
    x = np.asarray(args[i], dtype=np.float64)
    probes = [rng.standard_normal(x.shape) for _ in range(directions)]
    for flat in rng.choice(x.size, size=min(coords, x.size), replace=False):
        e = np.zeros(x.shape)
        e.flat[flat] = 1.0
        probes.append(e)
    worst = 0.0
    for v in probes:
        numeric = (f(_replace(args, i, x + h * v)) - f(_replace(args, i, x - h * v))) / (2 * h)
        exact = float(np.vdot(analytic, v))
        worst = max(worst, abs(exact - numeric) / max(1e-8, abs(exact) + abs(numeric)))
    return worst


def _replace(args: Sequence[np.ndarray], i: int, value: np.ndarray) -> list[np.ndarray]:
    out = list(args)
    out[i] = value
    return out
