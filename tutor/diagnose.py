"""Naming the likely bug when a returned array is wrong, and showing where the error is."""

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import elementwise_error, rel_error, scale_of


@dataclass(frozen=True)
class Finding:
    id: str
    message: str


GENERIC = {
    "zero", "sign-flipped", "scaled-by-n", "divided-by-n", "scaled", "transposed",
    "swapped-outputs", "missing-batch-sum", "some-rows-wrong", "some-elements-wrong",
    "non-finite", "empty-slice", "extra-axis", "numpy-2",
}

# NumPy names that code written for older versions uses, and what replaces them. The
# aliases of builtins went in NumPy 1.24, the rest in NumPy 2.0.
REMOVED_FROM_NUMPY = {
    "int": "int", "float": "float", "bool": "bool", "complex": "complex", "object": "object",
    "str": "str", "long": "int", "unicode": "str", "float_": "np.float64",
    "complex_": "np.complex128", "NaN": "np.nan", "NAN": "np.nan", "Inf": "np.inf",
    "Infinity": "np.inf", "infty": "np.inf", "PINF": "np.inf", "NINF": "-np.inf",
    "alltrue": "np.all", "sometrue": "np.any", "product": "np.prod",
    "cumproduct": "np.cumprod", "asscalar": "a.item()", "round_": "np.round",
    "asfarray": "np.asarray(a, dtype=np.float64)", "in1d": "np.isin", "trapz": "np.trapezoid",
}


def _close(a: Any, b: Any, tol: float) -> bool:
    return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and rel_error(a, b) <= tol)


def diagnose(got: Any, exp: np.ndarray, *, batch: int | None, others: dict[str, np.ndarray],
             tolerance: float, scale: float = 0.0) -> Finding | None:
    """The generic transformation of the reference that ``got`` matches, if any; ``scale``
    is the comparison's (see compare.SCALE_FLOOR)."""
    tol = max(10 * tolerance, 1e-6)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "fiu":
        return None
    with np.errstate(all="ignore"):
        return _diagnose(got.astype(np.float64), exp, batch, others, tol, scale)


def _diagnose(got: np.ndarray, exp: np.ndarray, batch: int | None,
              others: dict[str, np.ndarray], tol: float, scale: float) -> Finding | None:
    if got.shape != exp.shape:
        return _shape_finding(got, exp, batch, tol)
    if not np.isfinite(got).all():
        return non_finite(got)
    if not exp.any():
        return None
    if not got.any():
        return Finding("zero", "every element is 0: a branch or mask that is never true, or "
                       "a placeholder still returning zeros?")
    if _close(got, -exp, tol):
        return Finding("sign-flipped", "exactly the negative of the right answer: a sign error.")
    for name, other in others.items():
        if _close(got, other, tol) and not _close(other, exp, tol):
            return Finding("swapped-outputs", f"this is the right value for `{name}`: the "
                           "returned values are in the wrong order.")
    if batch and batch > 1:
        if _close(got, exp * batch, tol):
            return Finding("scaled-by-n", f"N = {batch} times too large: a division by the batch "
                           "size N is missing (a mean over the batch divides its gradient by N).")
        if _close(got, exp / batch, tol):
            return Finding("divided-by-n", f"N = {batch} times too small: divided by N where "
                           "no division belongs (or twice), e.g. a mean instead of a sum.")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got, exp.T, tol):
        return Finding("transposed", "the transpose of the right answer: check the order of "
                       "the matrix product and which operand is transposed.")
    scale = float(np.vdot(got, exp) / np.vdot(exp, exp))
    if (np.isfinite(scale) and abs(scale) > 1e-6 and abs(scale - 1) > 1e-3
            and _close(got, exp * scale, tol)):
        return Finding("scaled", f"the right answer times {scale:.6g}: a constant factor is off.")
    return _where(got, exp, tol, scale, batch)


def non_finite(got: Any) -> Finding:
    """Why a value is inf or nan where the true one is finite, from which of the two it is."""
    with np.errstate(all="ignore"):
        values = np.asarray(got, dtype=np.float64)
    if np.isnan(values).any():
        return Finding("non-finite", "nan where the true value is finite: inf − inf or 0/0, as "
                       "when exp of a large number overflows to inf before normalizing (subtract "
                       "each row's own maximum first, not the whole batch's: a row far below "
                       "the batch's maximum underflows to 0/0), or when nothing is left to "
                       "normalize. Use a numerically stable form.")
    return Finding("non-finite", "inf where the true value is finite: the log of a probability "
                   "that underflowed to 0 (take logs in the log domain, log p = s − max − "
                   "log Σ exp(s − max), instead of log(p)), an exp that overflowed, or a "
                   "division by 0. Use a numerically stable form.")


def exception(message: str) -> Finding | None:
    """Name the cause of an exception that code written for an older NumPy raises."""
    if "only 0-dimensional arrays can be converted" in message or \
            "only length-1 arrays can be converted" in message:
        return Finding("numpy-2", "int() or float() of an array with one element: NumPy 1 "
                       "allowed it (deprecated since 1.25), NumPy 2 raises. Take the element "
                       "itself: a.item(), or a[0] for a 1-D array.")
    if m := re.search(r"module 'numpy' has no attribute '(\w+)'|`np\.(\w+)` was removed",
                      message):
        name = m.group(1) or m.group(2)
        if name in REMOVED_FROM_NUMPY:
            return Finding("numpy-2", f"np.{name} no longer exists: NumPy removed it (the "
                           "aliases of Python's types in 1.24, the rest in 2.0), so code "
                           "written for an older NumPy fails here. Use "
                           f"{REMOVED_FROM_NUMPY[name]} instead.")
    return None


def in_place(exercise: Any, name: str) -> str:
    """Why changing the input ``name`` in place is rejected, with a fix in its own terms."""
    if exercise.update:  # an optimizer step: w, and its state, are inputs
        return (f"changed its input `{name}` in place (`{name} -= ...` or `{name}[...] = ...`). "
                "CS231n's optimizers update their arrays in place; this contract returns new "
                "ones and leaves its inputs as they were, so that the caller still has the "
                f"old values (to measure the step, or to retry it): `{name}_new = {name} - ...`")
    if name.startswith("d"):  # an upstream gradient
        return (f"changed its input `{name}` in place (`{name} += ...` or `{name}[...] = ...`). "
                "CS231n-style code often accumulates into the upstream gradient; this contract "
                "never changes an input, because the caller may still need it (the same "
                f"gradient can feed several backward calls): `d = {name} + ...`, or start "
                f"from `{name}.copy()`")
    return (f"changed its input `{name}` in place; compute a new array instead (`{name} * mask` "
            f"rather than `{name} *= mask`, or work on `{name}.copy()`)")


def _shape_finding(got: np.ndarray, exp: np.ndarray, batch: int | None,
                   tol: float) -> Finding | None:
    if 0 in got.shape and 0 not in exp.shape:
        return Finding("empty-slice", f"shape {got.shape} has an axis of length 0: a slice "
                       "ending at -pad is empty when pad = 0 (a[0:-0] is a[0:0]). End the "
                       "slice at a size instead: a[pad:pad + H].")
    if got.ndim > exp.ndim and got.size == exp.size and _close(got.reshape(exp.shape), exp, tol) \
            and tuple(d for d in got.shape if d != 1) == tuple(d for d in exp.shape if d != 1):
        return Finding("extra-axis", f"the right numbers with an extra axis of length 1 (shape "
                       f"{got.shape}, expected {exp.shape}: a keepdims=True, or a (1, D) row?). "
                       "CS231n's code often lets a (1, D) row stand for a (D,) vector, since "
                       "they broadcast alike; this contract states exact shapes, because the "
                       "caller's next step (an update w - lr * dw, a sum) would silently "
                       "broadcast to a different shape. Return exactly "
                       f"{exp.shape}.")
    if got.ndim == exp.ndim and got.shape == exp.shape[::-1] and _close(got.T, exp, tol):
        return Finding("transposed", f"the transpose of the right answer (shape {got.shape} "
                       f"instead of {exp.shape}): check the order of the matrix product.")
    if got.size == exp.size and _close(got.reshape(exp.shape), exp, tol):
        return Finding("wrong-shape", "the right numbers in the wrong shape: reshape to "
                       f"{exp.shape}.")
    if got.ndim == exp.ndim + 1 and got.shape[1:] == exp.shape and _close(got.sum(axis=0), exp,
                                                                            tol):
        return Finding("missing-batch-sum", "one gradient per example: sum them over the "
                       "batch axis (axis=0). A parameter shared by every example collects "
                       "all of their gradients.")
    return None


def _where(got: np.ndarray, exp: np.ndarray, tol: float, scale: float,
           batch: int | None) -> Finding | None:
    """Localised errors: only some rows, or only some elements, are wrong."""
    wrong = elementwise_error(got, exp, scale_of([exp]) or scale) > tol
    if got.ndim >= 2 and got.shape[0] > 1:
        rows = np.flatnonzero(wrong.reshape(got.shape[0], -1).any(axis=1))
        if 0 < len(rows) < got.shape[0]:
            shown = ", ".join(str(r) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")
            what = "examples" if got.shape[0] == batch else "rows"
            return Finding("some-rows-wrong", f"only {len(rows)} of {got.shape[0]} rows are wrong "
                           f"(rows {shown}): look at what is special about those {what}.")
    count, total = int(wrong.sum()), wrong.size
    if 0 < count <= total // 2:
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        return Finding("some-elements-wrong", f"{count} of {total} elements are wrong, the first "
                       f"at index {first}: look at what is special about those inputs.")
    return None


def error_map(got: np.ndarray, exp: np.ndarray, tolerance: float, scale: float = 0.0,
              max_rows: int = 8, max_cols: int = 24) -> dict[str, Any]:
    """Where the error lives: per-element relative error (as the comparison measures it,
    with its floor for values of this scale), max-pooled to a small grid."""
    with np.errstate(all="ignore"):
        err = elementwise_error(np.real(got).astype(np.float64), exp,
                                scale_of([exp]) or scale)
    flat = err.reshape(err.shape[0], -1) if err.ndim >= 2 else err.reshape(1, -1)
    rows, cols = flat.shape
    rstep, cstep = -(-rows // max_rows), -(-cols // max_cols)
    grid = [[float(flat[r:r + rstep, c:c + cstep].max()) for c in range(0, cols, cstep)]
            for r in range(0, rows, rstep)]
    return {"shape": list(exp.shape), "rows_per_cell": rstep, "cols_per_cell": cstep,
            "grid": grid, "tolerance": tolerance,
            "wrong": int((err > tolerance).sum()), "total": int(err.size)}
