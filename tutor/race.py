"""Race one function of a lesson across its backends (NumPy, Numba, CUDA) on the same inputs."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .lesson import DEFAULT_TOLERANCE, Lesson

# The module in the lesson folder that holds each backend's version of the functions.
BACKEND_MODULES = {"numpy": "reference", "numba": "fast_ops", "cuda": "cuda_ops"}


@dataclass(frozen=True)
class Timing:
    backend: str
    seconds: float  # best of the timed calls
    compile_seconds: float  # how much longer the first call took: JIT compile and warm-up
    max_rel_error: float  # against the NumPy reference, max |a - b| / max(1e-8, |a| + |b|)


class Mismatch(AssertionError):
    """A backend's result differs from the NumPy reference by more than the tolerance."""


def race(lesson: Lesson, function_name: str, args: Sequence[Any],
         backends: Sequence[str] = ("numpy", "numba", "cuda"), repeat: int = 5) -> list[Timing]:
    """Time `function_name(*args)` in each backend the lesson provides and check each result
    against the NumPy reference; raises `Mismatch` if one is off by more than the
    exercise's tolerance. Backends without a module in the lesson are left out."""
    expected = getattr(lesson.module(BACKEND_MODULES["numpy"]), function_name)(*args)
    tolerance = next((e.tolerance for e in lesson.exercises if e.name == function_name),
                     DEFAULT_TOLERANCE)
    timings = []
    for backend in backends:
        module_name = BACKEND_MODULES[backend]
        if not lesson.has_module(module_name):
            continue
        function = getattr(lesson.module(module_name), function_name)
        first, result = _timed(function, args)
        best = min(_timed(function, args)[0] for _ in range(max(1, repeat)))
        error = max_rel_error(result, expected)
        if not error <= tolerance:
            raise Mismatch(f"{backend} {function_name}: relative error {error:.2e} "
                           f"exceeds {tolerance:.0e}")
        timings.append(Timing(backend, best, max(0.0, first - best), error))
    return timings


def _timed(function, args) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def max_rel_error(got: Any, want: Any) -> float:
    """The largest relative error over every array and number in two results of one shape."""
    got, want = _leaves(got), _leaves(want)
    if len(got) != len(want):
        return float("inf")
    worst = 0.0
    for a, b in zip(got, want, strict=True):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return float("inf")
        rel = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
        worst = max(worst, float(np.max(rel, initial=0.0)))
    return worst


def _leaves(result: Any) -> list[Any]:
    """Arrays and numbers of a result, in order: tuples and lists in turn, dicts by key."""
    if isinstance(result, dict):
        return [leaf for key in sorted(result) for leaf in _leaves(result[key])]
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]
