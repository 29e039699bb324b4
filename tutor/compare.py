"""Comparing a learner's returned value with the reference, one named verdict at a time."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .sandbox.wire import Foreign, Subclassed, TooLarge

# An element's error is measured against |a| + |b|, but never against less than this
# fraction of the scale of the array compared (its largest magnitude in the reference; for an
# array that is zero throughout, the largest value the reference returns in that call).
# Without it, a gradient that is exactly zero by structure (a causal query that sees one
# key, T = 1) turns 1e-8 of rounding noise into a relative error of 1.0.
SCALE_FLOOR = 1e-3
ABS_FLOOR = 1e-8  # CS231n's floor, for values of any scale


def floor_for(scale: float) -> float:
    """The smallest denominator of an element's relative error, for values of this scale."""
    return max(ABS_FLOOR, SCALE_FLOOR * scale) if np.isfinite(scale) else ABS_FLOOR


def rel_error(a: np.ndarray | float, b: np.ndarray | float, scale: float = 0.0) -> float:
    """CS231n's relative error, max over elements of |a - b| / max(1e-8, |a| + |b|), with
    the floor raised to SCALE_FLOOR · ``scale`` (the values' scale; 0 keeps CS231n's)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    err = elementwise_error(a, b, scale)
    both_nan = np.isnan(a) & np.isnan(b)
    return float(np.max(np.where(both_nan, 0.0, err)))


def elementwise_error(a: np.ndarray, b: np.ndarray, scale: float = 0.0) -> np.ndarray:
    """|a - b| / max(|a| + |b|, floor) per element; NaN on one side is as wrong as it gets."""
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(a - b) / np.maximum(floor_for(scale), np.abs(a) + np.abs(b))
    return np.where(np.isnan(err), np.inf, err)


def scale_of(values: list[Any]) -> float:
    """The largest finite magnitude among the arrays in ``values`` (0 when there is none)."""
    finite = [np.abs(v[np.isfinite(v)]) for v in values if isinstance(v, np.ndarray)
              and v.dtype.kind in "fiu" and v.size]
    return max((float(f.max()) for f in finite if f.size), default=0.0)


@dataclass
class Mismatch:
    """Why one returned value is not accepted. ``kind`` is the verdict name."""

    kind: str
    message: str
    rel_error: float | None = None
    got: Any = None
    expected: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def describe(value: Any) -> str:
    """A short, learner-facing description of a returned value's type."""
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, Subclassed):
        return f"an np.{value.cls} (an ndarray subclass)"
    if isinstance(value, Foreign):
        return f"a {value.type_name}"
    if isinstance(value, TooLarge):
        return f"a {value.dtype} array of shape {value.shape} (too large to send back)"
    if isinstance(value, np.generic):
        return f"a NumPy {value.dtype} scalar"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"


def compare(got: Any, expected: Any, tolerance: float, scale: float = 0.0) -> Mismatch | None:
    """None when ``got`` is an acceptable answer for the reference value ``expected``;
    ``scale``, the scale of the whole call, sets the floor of the relative error of an array
    that is zero throughout (see SCALE_FLOOR)."""
    if isinstance(expected, np.ndarray):
        return _compare_array(got, expected, tolerance, scale_of([expected]) or scale)
    if isinstance(expected, float):
        return _compare_scalar(got, expected, tolerance)
    raise TypeError(f"no comparison for reference values of type {type(expected).__name__}")


def _compare_array(got: Any, exp: np.ndarray, tol: float, scale: float) -> Mismatch | None:
    want = f"a float64 ndarray of shape {exp.shape}"
    if isinstance(got, Subclassed):
        return Mismatch("array-subclass", f"returned {describe(got)}; return a plain "
                        f"np.ndarray (np.asarray(...) converts it)", got=got.array, expected=exp)
    if isinstance(got, TooLarge) and got.shape != exp.shape:
        return Mismatch("wrong-shape", f"returned shape {got.shape}, expected {exp.shape}")
    if not isinstance(got, np.ndarray):
        return Mismatch("wrong-type", f"returned {describe(got)}, expected {want}",
                        got=got, expected=exp)
    if got.shape != exp.shape:
        return Mismatch("wrong-shape", f"returned shape {got.shape}, expected {exp.shape}",
                        got=got, expected=exp)
    if got.dtype != np.float64:
        return Mismatch("wrong-dtype", f"returned dtype {got.dtype}, expected float64",
                        got=got, expected=exp)
    bad = ~np.isfinite(got) & np.isfinite(exp)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return Mismatch("non-finite", f"{int(bad.sum())} element(s) are inf or nan where the "
                        f"true value is finite, first at index {where}", rel_error=float("inf"),
                        got=got, expected=exp)
    err = rel_error(got, exp, scale)
    if err > tol:
        return Mismatch("wrong-value", f"relative error {err:.2e} (passes below {tol:.0e})",
                        rel_error=err, got=got, expected=exp, extras={"scale": scale})
    return None


def _compare_scalar(got: Any, exp: float, tol: float) -> Mismatch | None:
    if isinstance(got, np.ndarray | Subclassed):
        shape = got.shape if isinstance(got, np.ndarray) else got.array.shape
        return Mismatch("wrong-type", f"returned an array of shape {shape}, expected a Python "
                        "float (float(...) converts a one-element array)", got=got, expected=exp)
    if isinstance(got, np.floating) and got.dtype != np.float64:
        return Mismatch("wrong-dtype", f"returned {describe(got)}, expected a float64 value",
                        got=got, expected=exp)
    if not isinstance(got, float | np.float64) or isinstance(got, bool):
        return Mismatch("wrong-type", f"returned {describe(got)}, expected a Python float",
                        got=got, expected=exp)
    value = float(got)
    if not np.isfinite(value) and np.isfinite(exp):
        return Mismatch("non-finite", f"returned {value} where the true value is finite",
                        rel_error=float("inf"), got=value, expected=exp)
    err = rel_error(value, exp)
    if err > tol:
        return Mismatch("wrong-value", f"{value:.8g} instead of {exp:.8g} "
                        f"(relative error {err:.2e})", rel_error=err, got=value, expected=exp)
    return None
