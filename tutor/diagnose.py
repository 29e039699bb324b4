"""Naming the likely bug when a returned array is wrong, and showing where the error is."""

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
    "non-finite",
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
        return Finding("non-finite", "inf/nan appeared: something overflowed (exp of a large "
                       "number?) or divided by zero. Use a numerically stable form.")
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
    return _where(got, exp, tol, scale)


def _shape_finding(got: np.ndarray, exp: np.ndarray, batch: int | None,
                   tol: float) -> Finding | None:
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


def _where(got: np.ndarray, exp: np.ndarray, tol: float, scale: float) -> Finding | None:
    """Localised errors: only some rows, or only some elements, are wrong."""
    wrong = elementwise_error(got, exp, max(scale, scale_of([exp]))) > tol
    if got.ndim >= 2 and got.shape[0] > 1:
        rows = np.flatnonzero(wrong.reshape(got.shape[0], -1).any(axis=1))
        if 0 < len(rows) < got.shape[0]:
            shown = ", ".join(str(r) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")
            return Finding("some-rows-wrong", f"only {len(rows)} of {got.shape[0]} rows are wrong "
                           f"(rows {shown}): look at what is special about those examples.")
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
                                max(scale, scale_of([exp])))
    flat = err.reshape(err.shape[0], -1) if err.ndim >= 2 else err.reshape(1, -1)
    rows, cols = flat.shape
    rstep, cstep = -(-rows // max_rows), -(-cols // max_cols)
    grid = [[float(flat[r:r + rstep, c:c + cstep].max()) for c in range(0, cols, cstep)]
            for r in range(0, rows, rstep)]
    return {"shape": list(exp.shape), "rows_per_cell": rstep, "cols_per_cell": cstep,
            "grid": grid, "tolerance": tolerance,
            "wrong": int((err > tolerance).sum()), "total": int(err.size)}
