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
COORDINATES_UP_TO = 10_000  # inputs with more numbers are checked along directions only


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
    directions and at random coordinates of args[i].

    Coordinates are sampled only for inputs of at most ``COORDINATES_UP_TO`` numbers: there a
    wrong entry has a fair chance of being drawn, while in a large input a few coordinates
    almost never land on it (and an error confined to one entry of a large gradient is too
    small a share of it for any sampled check), and each costs two calls of f."""
    rng = rng or np.random.default_rng(0)
    x = np.asarray(args[i], dtype=np.float64)
    analytic = np.asarray(analytic, dtype=np.float64)
    directions_drawn = [rng.standard_normal(x.shape) for _ in range(directions)]
    coords = coords if x.size <= COORDINATES_UP_TO else 0
    coordinates = rng.choice(x.size, size=min(coords, x.size), replace=False)
    probe = np.empty_like(x)  # x ± h v, written in place: no new array per evaluation

    def at(shifted: np.ndarray) -> float:
        return f(_replace(args, i, shifted))

    worst = 0.0
    for v in directions_drawn:
        hv = h * v
        plus, minus = at(np.add(x, hv, out=probe)), at(np.subtract(x, hv, out=probe))
        worst = max(worst, _relative(float(np.vdot(analytic, v)), (plus - minus) / (2 * h)))
    for flat in coordinates:
        probe[...] = x
        probe.flat[flat] = x.flat[flat] + h
        plus = at(probe)
        probe.flat[flat] = x.flat[flat] - h
        minus = at(probe)
        worst = max(worst, _relative(float(analytic.flat[flat]), (plus - minus) / (2 * h)))
    return worst


def _relative(exact: float, numeric: float) -> float:
    """|exact - numeric| / (|exact| + |numeric|), floored; a non-finite value is infinitely
    wrong (max() would otherwise pass over a nan)."""
    error = abs(exact - numeric) / max(1e-8, abs(exact) + abs(numeric))
    return error if np.isfinite(error) else float("inf")


def _replace(args: Sequence[np.ndarray], i: int, value: np.ndarray) -> list[np.ndarray]:
    out = list(args)
    out[i] = value
    return out
