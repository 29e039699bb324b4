"""Running a lesson's experiment with each of the learner's own functions once it passes.

The experiment itself is the lesson's trusted code; the learner's functions stay in their
sandboxed process and are called through :class:`LearnerOps`, so an experiment can use
untrusted code without running it in tutor's process. A function that does not pass yet is
the reference's (:class:`MixedOps`), and the setup says which.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .kernel_grader import sandbox_for
from .lesson import Exercise, Lesson
from .sandbox.supervisor import Limits, Sandbox
from .sandbox.wire import Foreign, Subclassed
from .store import Store


class LearnerError(RuntimeError):
    """A learner function failed while the experiment ran."""


class LearnerOps:
    """The learner's functions as attributes, each call made in their sandbox. A kernel
    exercise is launched as the grader launches it: it writes its outputs into the arrays
    passed, and the call returns what was measured ({"reads": ..., "writes": ...}, the
    global reads and writes per thread)."""

    def __init__(self, sandbox: Sandbox, timeout: float = 10.0, lesson: Lesson | None = None):
        self._sandbox, self._timeout, self._lesson = sandbox, timeout, lesson

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        exercise = next((e for e in self._lesson.exercises if e.name == name and e.kernel),
                        None) if self._lesson else None
        if exercise is not None:
            return lambda *args: self._launch(exercise, list(args))

        def call(*args: Any) -> Any:
            outcome = self._sandbox.call(name, list(args), self._timeout)
            if not outcome.ok:
                raise LearnerError(f"your {name} failed ({outcome.kind}): {outcome.message}")
            return _plain(outcome.value, name)

        return call


    def _launch(self, exercise: Exercise, args: list[Any]) -> dict[str, Any]:
        from .kernel_grader import REPORT_BYTES, Report

        assert exercise.kernel is not None
        outputs = [exercise.params.index(n) for n in exercise.returns]
        grid, block = exercise.kernel.launch(exercise.params, args)
        outcome = self._sandbox.launch(exercise.name, args, list(exercise.params), grid, block,
                                       outputs, self._timeout, REPORT_BYTES)
        report = Report.parse(outcome.value, grid, block) if outcome.ok else None
        if report is None:
            why = outcome.kind or "a malformed report"
            raise LearnerError(f"your {exercise.name} failed ({why}): {outcome.message}")
        for i in outputs:
            args[i][...] = outcome.outputs[i]
        return {"reads": report.reads, "writes": report.writes}


def _plain(value: Any, name: str) -> Any:
    if isinstance(value, Foreign | Subclassed):
        raise LearnerError(f"your {name} returned {value!r}")
    if isinstance(value, tuple | list):
        return type(value)(_plain(v, name) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v, name) for k, v in value.items()}
    return value


class MixedOps:
    """The learner's function where it passes (``yours``), the reference's elsewhere."""

    def __init__(self, learner: LearnerOps, reference: Any, yours: set[str]):
        self._learner, self._reference, self._yours = learner, reference, yours

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._learner if name in self._yours else self._reference, name)


@dataclass
class Setup:
    """Which functions an experiment runs with, and why."""

    ops: Any
    who: str  # "your functions", "the reference", or "yours where they pass"
    reason: str
    sandbox: Sandbox | None = None
    yours: tuple[str, ...] = ()  # the exercise functions it calls from the learner's file
    reference_for: tuple[str, ...] = ()  # those it calls from the reference (not passing)

    def close(self) -> None:
        if self.sandbox:
            self.sandbox.close()


def setup(lesson: Lesson, solution: Path | None, store: Store | None,
          reference: bool = False, limits: Limits | None = None) -> Setup:
    """The learner's function for each exercise the experiment uses that passes now (its
    latest verdict), the reference's for the others; and say which."""
    if reference:
        return Setup(lesson.reference, "the reference", "as asked (--reference)")
    if solution is None or not solution.is_file():
        return Setup(lesson.reference, "the reference", "no solution file here")
    used = used_exercises(lesson)
    yours = tuple(e.name for e in used if store is not None
                  and store.exercise_status(e.id).passed)
    others = tuple(e.name for e in used if e.name not in yours)
    if not yours:
        return Setup(lesson.reference, "the reference",
                     f"yours take over as each passes: {', '.join(others)}", None, (), others)
    sandbox = sandbox_for(lesson, solution, limits or Limits(), hide=(lesson.folder,))
    learner = LearnerOps(sandbox, lesson=lesson)
    if not others:
        return Setup(learner, "your functions", f"from {solution.name}", sandbox, yours)
    return Setup(MixedOps(learner, lesson.reference, set(yours)), "yours where they pass",
                 f"yours: {', '.join(yours)}; still the reference's: {', '.join(others)}",
                 sandbox, yours, others)


def used_exercises(lesson: Lesson) -> list[Any]:
    """The exercises whose functions the experiment's code names (all, if it names none)."""
    try:
        source = lesson.folder.joinpath("experiment.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        source = ""
    named = [e for e in lesson.exercises if re.search(rf"\b{re.escape(e.name)}\b", source)]
    return named or list(lesson.exercises)


def frames(lesson: Lesson, ops: Any, params: dict[str, Any]) -> Iterator[Any]:
    """The experiment's frames (rich renderables), computed lazily."""
    module = lesson.module("experiment")
    return module.frames(ops, **params)


def parse_params(lesson: Lesson, pairs: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` overrides, typed like the experiment's PARAMS defaults."""
    defaults = dict(getattr(lesson.module("experiment"), "PARAMS", {}))
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in defaults:
            known = ", ".join(f"{k}={v}" for k, v in defaults.items())
            raise ValueError(f"unknown parameter {pair!r} (this experiment takes: {known})")
        try:
            out[key] = _typed(defaults[key], text)
        except ValueError:
            kind = {bool: "true or false", int: "an integer", float: "a number"}.get(
                type(defaults[key]), f"a {type(defaults[key]).__name__}")
            raise ValueError(f"{key} must be {kind}, not {text!r}") from None
    return out


def _typed(default: Any, text: str) -> Any:
    """``text`` as a value of the default's type; ValueError if it is not one."""
    if isinstance(default, bool):
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        return words[text.lower()] if text.lower() in words else _bad()
    if isinstance(default, int):
        value = float(text)
        return int(value) if value.is_integer() else _bad()  # 1e3 is an integer too
    return type(default)(text)


def _bad() -> Any:
    raise ValueError
