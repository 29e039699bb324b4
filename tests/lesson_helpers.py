"""Shared by the lessons' experiment and kernel tests: a lesson and its modules, a frame
rendered as text, ops that count their calls, the backends a kernel runs on, and its results
compared with the reference's."""

import io

import numpy as np
import pytest
from rich.console import Console

from tutor.plugins import load_registry
from tutor.schema import LessonError


def lesson_parts(lesson_id: str, *names: str) -> tuple:
    """The lesson, then each of its modules named, in that order."""
    lesson = load_registry().get(lesson_id)
    return (lesson, *(lesson.module(name) for name in names))


def lesson_fixtures(lesson_id: str) -> tuple:
    """Module-scoped fixtures `lesson`, `ref` (its reference) and `exp` (its experiment),
    for a test module to bind to those names: ``lesson, ref, exp = lesson_fixtures(...)``."""

    @pytest.fixture(scope="module")
    def lesson():
        return load_registry().get(lesson_id)

    @pytest.fixture(scope="module")
    def ref(lesson):
        return lesson.module("reference")

    @pytest.fixture(scope="module")
    def exp(lesson):
        return lesson.module("experiment")

    return lesson, ref, exp


def render(frame, width: int = 80) -> str:
    """The text a rich renderable prints as in a console `width` columns wide."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(frame)
    return console.export_text()


def kernel_backends(lesson) -> tuple:
    """(fast, gpu, no_cuda): the lesson's fast_ops and cuda_ops modules and "". Where
    cuda_ops cannot be imported because numba-cuda lacks its CUDA bindings (an ImportError,
    which the lesson reports as a LessonError), gpu is None and no_cuda says why; any other
    failure of cuda_ops is raised: a broken kernel module must fail, not skip."""
    fast = lesson.module("fast_ops")
    try:
        gpu, no_cuda = lesson.module("cuda_ops"), ""
    except LessonError as error:
        if not isinstance(error.__cause__, ImportError):
            raise
        gpu, no_cuda = None, str(error)
    return fast, gpu, no_cuda


def backend_params(gpu, no_cuda: str) -> list:
    """The values of a `backend` parameter: "numba", and "cuda", skipped with the reason
    `no_cuda` where there is no gpu module."""
    return [
        pytest.param("numba", id="numba"),
        pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(gpu is None, reason=no_cuda)),
    ]


def rel_error(a, b):
    """max |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def backend_runner(fast, gpu, *, arrays_only: bool = False):
    """run(backend, name, *args), calling `name` from fast ("numba") or gpu (any other
    backend). With `arrays_only`, only the ndarray arguments are copied to check them
    against afterwards; the others are checked against themselves."""

    def run(backend, name, *args):
        """Call `name` from the backend, check it left its inputs alone, and return the
        result."""
        module = fast if backend == "numba" else gpu
        before = [np.copy(a) if not arrays_only or isinstance(a, np.ndarray) else a
                  for a in args]
        result = getattr(module, name)(*args)
        for a, b in zip(args, before, strict=True):
            assert np.array_equal(a, b), f"{backend} {name} modified an input"
        return result

    return run


def assert_close(got, want, tolerance, *, finite: bool = False):
    """Each of `got` a float64 array shaped like its counterpart in `want`, with a
    rel_error to it below `tolerance`: one number for every output, or a list of one per
    output. With `finite`, each must also hold no inf or nan."""
    tolerances = tolerance if isinstance(tolerance, list) else [tolerance] * len(want)
    assert len(got) == len(want) == len(tolerances)
    for g, w, bound in zip(got, want, tolerances, strict=True):
        assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == w.shape
        if finite:
            assert np.all(np.isfinite(g))
        assert rel_error(g, w) < bound


class Counting:
    """The ops given (the reference's, say), counting the calls of each function in
    `calls`, by name."""

    def __init__(self, ops):
        self.ops, self.calls = ops, {}

    def __getattr__(self, name):
        def call(*args):
            self.calls[name] = self.calls.get(name, 0) + 1
            return getattr(self.ops, name)(*args)

        return call
