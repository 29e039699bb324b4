"""Race one function of a lesson across its backends (NumPy, Numba, CUDA) on the same inputs."""

import inspect
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

from .lesson import DEFAULT_TOLERANCE, Lesson

# The module in the lesson folder that holds each backend's version of the functions.
BACKEND_MODULES = {"numpy": "reference", "numba": "fast_ops", "cuda": "cuda_ops"}


@dataclass(frozen=True)
class Timing:
    backend: str
    seconds: float  # best of the timed calls, all made after the first
    first_seconds: float  # the first call, with JIT compilation (or loading it) and warm-up
    max_rel_error: float  # against the NumPy reference, max |a - b| / max(1e-8, |a| + |b|)
    compiled: int = 0  # Numba kernels compiled during the first call
    loaded: int = 0  # Numba kernels loaded from its on-disk cache during the first call

    @property
    def compile_seconds(self) -> float:
        """How much longer the first call took than the best one: the price of the JIT."""
        return max(0.0, self.first_seconds - self.seconds)


class Mismatch(AssertionError):
    """A backend's result differs from the NumPy reference by more than the tolerance."""


# A backend from outside the lesson (PyTorch, in the benchmarks): a call that computes the
# function on the race's inputs, and what turns its result into the reference's layout.
Extra = tuple[Callable[[], Any], Callable[[Any], Any]]


def race(lesson: Lesson, function_name: str, args: Sequence[Any],
         backends: Sequence[str] = ("numpy", "numba", "cuda"), repeat: int = 5,
         extra: Mapping[str, Extra] | None = None) -> list[Timing]:
    """Time `function_name(*args)` in each backend the lesson provides, NumPy first, and
    check each result against the NumPy reference's; raises `Mismatch` if one is off by more
    than the exercise's tolerance. Backends without a module in the lesson are left out;
    `extra` backends are timed and checked the same way, after them.

    Each backend's first call is timed on its own (it compiles); then `repeat` rounds call
    every backend once each, and each keeps its best time: on a busy machine the backends
    then meet the same moments of load, and each its quietest one."""
    tolerance = next((e.tolerance for e in lesson.exercises if e.name == function_name),
                     DEFAULT_TOLERANCE)
    calls: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], ModuleType | None]] = {}
    for backend in ("numpy", *(b for b in backends if b != "numpy")):
        module_name = BACKEND_MODULES[backend]
        if backend == "numpy" or lesson.has_module(module_name):
            lesson_module = lesson.module(module_name)
            calls[backend] = (partial(getattr(lesson_module, function_name), *args), _same,
                              lesson_module)
    for backend, (call, convert) in (extra or {}).items():
        calls[backend] = (call, convert, None)
    firsts, expected = {}, None
    for backend, (call, convert, module) in calls.items():
        before = _cache_counts(module)
        first, result = _timed(call)
        after = _cache_counts(module)
        result = convert(result)
        if expected is None:  # the NumPy reference's, timed like the others
            expected = result
        error = max_rel_error(result, expected)
        if not error <= tolerance:
            raise Mismatch(f"{backend} {function_name}: relative error {error:.2e} "
                           f"exceeds {tolerance:.0e}")
        firsts[backend] = (first, error, after[1] - before[1], after[0] - before[0])
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(max(1, repeat)):
        for backend, (call, _, _) in calls.items():
            best[backend] = min(best[backend], _timed(call)[0])
    return [Timing(backend, best[backend], first, error, compiled, loaded)
            for backend, (first, error, compiled, loaded) in firsts.items()
            if backend in backends or backend in (extra or {})]


def _same(result: Any) -> Any:
    return result


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def _cache_counts(module: ModuleType | None) -> tuple[int, int]:
    """(loads from, compilations missing) Numba's on-disk cache so far, over the jitted
    functions of a module; each Numba dispatcher counts both in `stats`."""
    hits = misses = 0
    for value in vars(module).values() if module else ():
        stats = getattr(value, "stats", None)
        if hasattr(stats, "cache_hits") and hasattr(stats, "cache_misses"):
            hits += sum(stats.cache_hits.values())  # type: ignore[union-attr]
            misses += sum(stats.cache_misses.values())  # type: ignore[union-attr]
    return hits, misses


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


def break_even_calls(compile_seconds: float, numpy_seconds: float,
                     numba_seconds: float) -> int | None:
    """After how many calls compiling has paid for itself: it costs ``compile_seconds`` once
    and each call saves ``numpy_seconds - numba_seconds``; None when no call saves anything."""
    saving = numpy_seconds - numba_seconds
    if saving <= 0:
        return None
    return max(1, math.ceil(compile_seconds / saving))


def default_size(cases: ModuleType, function_name: str, quick: bool = False) -> int | None:
    """The size `tutor race` picks for a function: the first of its lesson's BENCHMARKS
    sizes (a realistic one, or the first quick one small enough for the CUDA simulator),
    else the default of the lesson's `race_inputs`, else None."""
    sizes = getattr(cases, "BENCHMARKS", {}).get(function_name)
    chosen = (sizes[0] if quick else sizes[1]) if sizes else None
    if chosen:
        return int(chosen[0])
    make = getattr(cases, "race_inputs", None)
    default = inspect.signature(make).parameters.get("size") if make else None
    if default is None or not isinstance(default.default, int):
        return None
    return default.default
