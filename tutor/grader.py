"""Grading: one path from a learner's file to a verdict per exercise.

Cases come from the lesson's ``cases.py``; the reference computes what each should return;
the learner's functions run in a :class:`~tutor.sandbox.supervisor.Sandbox`; the values
come back as plain arrays and are compared here, in the grader's process.
"""

import copy
import time
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import kernel_grader
from .cases import Case
from .compare import Mismatch, compare, describe, rel_error, scale_of
from .diagnose import Finding, diagnose, error_map, exception, in_place, non_finite
from .gradcheck import check_gradient
from .kernel_grader import sandbox_for
from .lesson import Exercise, Lesson
from .sandbox.supervisor import Limits, Outcome, Sandbox
from .schema import LessonError

# Every verdict a check can get (the README's table explains each).
VERDICTS = (
    "pass", "wrong-value", "wrong-shape", "wrong-dtype", "wrong-type", "array-subclass",
    "wrong-return", "non-finite", "mutated-input", "returned-input", "not-implemented",
    "missing-function", "wrong-signature", "syntax-error", "import-error", "exception",
    "timeout", "exit", "crash", "killed", "memory-limit", "output-limit", "input",
    "keyboard-interrupt", "protocol-error", "sandbox-error", "skipped", "over-budget", "race",
)

# Errors after which the other cases of the exercise would only fail the same way.
STOPPING = {"timeout", "crash", "exit", "killed", "not-implemented", "missing-function",
            "wrong-signature", "syntax-error", "import-error", "output-limit", "memory-limit",
            "keyboard-interrupt", "input", "protocol-error", "sandbox-error"}


@dataclass
class Check:
    """One verdict: a case's returned value (or its failure) against the reference."""

    name: str
    verdict: str  # "pass", or the name of what is wrong
    message: str = ""
    rel_error: float | None = None
    diagnosis: str | None = None
    diagnosis_message: str = ""
    error_map: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


@dataclass
class ExerciseResult:
    exercise: str
    verdict: str
    message: str
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0
    printed: str = ""
    traceback: str = ""
    line: int | None = None
    consistency: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        for check, raw in zip(self.checks, data["checks"], strict=True):
            raw["passed"] = check.passed
        return data


def seed_for(exercise: Exercise, seed: int = 0) -> int:
    return zlib.crc32(exercise.id.encode()) ^ seed


def cases_for(lesson: Lesson, exercise: Exercise, seed: int = 0) -> list[Case]:
    """The graded inputs; LessonError when the lesson's cases.py cannot make them."""
    make = lesson.function("cases", exercise.name)
    try:
        cases = list(make(np.random.default_rng(seed_for(exercise, seed))))
    except Exception as e:
        raise LessonError(f"{lesson.folder / 'cases.py'}: {exercise.name}() failed: "
                          f"{type(e).__name__}: {e}") from e
    if not cases or not all(isinstance(c, Case) and isinstance(c.args, tuple) for c in cases):
        raise LessonError(f"{lesson.folder / 'cases.py'}: {exercise.name}() must return a "
                          "non-empty list of tutor.Case(label, args)")
    return cases


def expected_for(lesson: Lesson, exercise: Exercise, case: Case) -> Any:
    """What the reference returns for a case; LessonError if the reference fails."""
    reference = lesson.function("reference", exercise.name)
    try:
        with np.errstate(all="ignore"):
            return reference(*copy.deepcopy(case.args))
    except Exception as e:
        raise LessonError(f"{lesson.reference_path}: {exercise.name} failed on case "
                          f"{case.label!r}: {type(e).__name__}: {e}") from e


class Grader:
    """Grades one learner file against one lesson."""

    def __init__(self, lesson: Lesson, path: Path | str, limits: Limits | None = None,
                 seed: int = 0, sandbox: Sandbox | None = None):
        self.lesson, self.path, self.seed = lesson, Path(path), seed
        self.limits = limits or Limits()
        self.sandbox = sandbox or sandbox_for(lesson, self.path, self.limits,
                                              hide=(lesson.folder,))
        # the lesson's known mistakes as functions, compiled once (a batch shares them)
        self.templates: dict[str, list[tuple[str, Callable[..., Any]]]] | None = None

    def close(self) -> None:
        self.sandbox.close()

    def grade(self, exercises: Sequence[Exercise] | None = None,
              on_result: Callable[[ExerciseResult], None] | None = None) -> list[ExerciseResult]:
        self.sandbox.start()  # the learner's process loads while cases are generated
        if self.lesson.has_kernels and self.lesson.kernel_reference_path.is_file():
            kernel_grader.lesson_kernels(self.lesson, self.limits).start()  # in parallel
        results = []
        for exercise in exercises or self.lesson.exercises:
            result = self.grade_exercise(exercise)
            results.append(result)
            if on_result:
                on_result(result)
        return results

    # -- one exercise ---------------------------------------------------------------------

    def grade_exercise(self, exercise: Exercise) -> ExerciseResult:
        if exercise.kernel is not None:
            return kernel_grader.grade(self, exercise)
        started = time.monotonic()
        deadline = started + self.limits.seconds
        cases = cases_for(self.lesson, exercise, self.seed)
        result = ExerciseResult(exercise.id, "pass", "")
        failed_case: tuple[Case, Any] | None = None
        for n, case in enumerate(cases):
            expected = expected_for(self.lesson, exercise, case)
            outcome = self.sandbox.call(exercise.name, list(copy.deepcopy(case.args)),
                                        max(0.0, deadline - time.monotonic()),
                                        max_bytes=_reply_budget(expected))
            if outcome.printed and not result.printed:
                result.printed = outcome.printed
            if not outcome.ok:
                label = f"loading {self.path.name}" if outcome.at_load else case.label
                if failed(result, outcome, label, len(cases) - n - 1, exception):
                    break
                continue
            checks = list(self._judge(exercise, case, outcome, expected))
            result.checks.extend(checks)
            if failed_case is None and any(c.verdict == "wrong-value" for c in checks):
                failed_case = (case, outcome.value)
        if failed_case and exercise.gradient:
            result.consistency = self._consistency(exercise, *failed_case, deadline)
        result.seconds = time.monotonic() - started
        return concluded(result)

    def _judge(self, exercise: Exercise, case: Case, outcome: Outcome,
               expected: Any) -> Iterator[Check]:
        args = case.args
        for i in outcome.mutated:  # seen from here: the shared inputs read back after the call
            name = exercise.params[i] if i < len(exercise.params) else f"#{i}"
            yield Check(f"{case.label}: inputs", "mutated-input", in_place(exercise, name),
                        diagnosis="mutated-input")
        for i in outcome.aliases:
            name = exercise.params[i] if i < len(exercise.params) else f"#{i}"
            yield Check(f"{case.label}: outputs", "returned-input",
                        f"returned the input `{name}` itself (or a view of it); return a new "
                        "array (e.g. x.copy())", diagnosis="returned-input")
        leaves = list(_leaves(outcome.value, expected, exercise.returns))
        others = {name: exp for name, _, exp, _ in leaves if isinstance(exp, np.ndarray)}
        batch = next((a.shape[0] for a in args if isinstance(a, np.ndarray) and a.ndim >= 2),
                     None)
        scale = _scale(exercise, args, leaves)
        for name, got, exp, structure in leaves:
            label = f"{case.label}: {name}"
            if structure is not None:
                yield Check(label, structure.kind, structure.message)
                continue
            mismatch = compare(got, exp, exercise.tolerance, scale)
            base = _update_base(exercise, name, args, exp)
            if base is not None and (mismatch is None or mismatch.kind == "wrong-value"):
                # An update (w_new of w): type, shape and dtype are checked on the value
                # itself, the numbers on the step it takes, w_new - w.
                got, exp = got - base, exp - base
                mismatch = compare(got, exp, exercise.tolerance, scale)
                if mismatch is not None:
                    mismatch.message = (f"update {name} - {exercise.update[name]}: "
                                        f"{mismatch.message}")
            else:
                base = None
            if mismatch is None:
                err = _err(got, exp)
                yield Check(label, "pass", "", rel_error=err)
                continue
            finding = self._find(exercise, case, name, mismatch, batch, others, base)
            yield Check(label, mismatch.kind, mismatch.message, rel_error=mismatch.rel_error,
                        diagnosis=finding.id if finding else None,
                        diagnosis_message=finding.message if finding else "",
                        error_map=(error_map(mismatch.got, exp, exercise.tolerance, scale)
                                   if mismatch.kind in ("wrong-value", "non-finite")
                                   and isinstance(exp, np.ndarray) and exp.ndim >= 1 else None))

    def _find(self, exercise: Exercise, case: Case, name: str, mismatch: Mismatch,
              batch: int | None, others: dict[str, np.ndarray],
              base: np.ndarray | None = None) -> Finding | None:
        """Name the bug: a lesson's known mistake first, then a generic transformation.
        With ``base``, ``mismatch`` compares updates (value - base), and so does this."""
        got, exp = mismatch.got, mismatch.expected
        if mismatch.kind == "non-finite":
            return non_finite(got)
        if not (exercise.gradient or any(e.gradient and e.gradient.of == exercise.name
                                         for e in self.lesson.exercises)):
            batch = None  # an optimizer step or a clipping: its arrays have no batch axis
        if base is not None:
            others = {k: v - base for k, v in others.items() if v.shape == base.shape}
        for diag_id, fn in self._mutant_templates().get(exercise.name, []):
            try:
                with np.errstate(all="ignore"):
                    wrong = dict(_flat(fn(*copy.deepcopy(case.args)), exercise.returns)).get(name)
                    if base is not None and wrong is not None and np.shape(wrong) == base.shape:
                        wrong = np.asarray(wrong, dtype=np.float64) - base
            except Exception:
                continue
            if wrong is None or _same(wrong, exp, exercise.tolerance):
                continue  # this mistake does not show on this case
            if mismatch.kind == "wrong-type" or not _same(got, wrong, exercise.tolerance):
                continue
            known = self.lesson.diagnosis(diag_id)
            return Finding(diag_id, known.message if known else diag_id)
        if isinstance(exp, np.ndarray) and mismatch.kind in ("wrong-value", "wrong-shape"):
            return diagnose(got, exp, batch=batch,
                            others={k: v for k, v in others.items() if k != name},
                            tolerance=exercise.tolerance, scale=mismatch.extras.get("scale", 0.0))
        return None

    def _mutant_templates(self) -> dict[str, list[tuple[str, Callable[..., Any]]]]:
        """The lesson's mutants that stand for a lesson-specific mistake, as functions."""
        if self.templates is None:
            self.templates = {}
            ids = {d.id for d in self.lesson.diagnoses}
            source = self.lesson.reference_path.read_text(encoding="utf-8")
            kernels = {e.name for e in self.lesson.exercises if e.kernel}
            for mutant in self.lesson.usable_mutants():
                if mutant.diagnosis not in ids or mutant.exercise in kernels:
                    continue  # a kernel's mistakes are matched by kernel_grader
                namespace: dict[str, Any] = {"__name__": f"tutor_mutant_{mutant.name}"}
                try:
                    exec(compile(source + "\n" + mutant.source, str(mutant.path), "exec"),
                         namespace)
                    fn = namespace[mutant.exercise]
                except Exception:
                    continue  # a broken mutant is for `tutor dev check` to report
                self.templates.setdefault(mutant.exercise, []).append((mutant.diagnosis, fn))
        return self.templates

    def _consistency(self, exercise: Exercise, case: Case, value: Any, deadline: float) -> str:
        """Is the learner's backward at least consistent with their own forward?"""
        gradient = exercise.gradient
        assert gradient is not None
        lesson = self.lesson
        if gradient.of:
            forward = lesson.exercise(gradient.of)
            k = len(forward.returns)  # one upstream gradient per returned value
            upstreams, inputs = case.args[:k], list(case.args[k:])

            reference = getattr(lesson.reference, forward.name)(*copy.deepcopy(inputs))

            def own(a: Sequence[Any]) -> float:
                out = self._call(forward.name, a, deadline)
                outs = [out] if k == 1 else list(out) if isinstance(out, tuple | list) else []
                refs = [reference] if k == 1 else list(reference)
                if len(outs) != k or not all(
                        isinstance(o, np.ndarray) and o.shape == np.shape(r)
                        and o.dtype.kind in "fiu" for o, r in zip(outs, refs, strict=True)):
                    raise _Unusable  # not something finite differences can work with
                return float(sum(np.sum(u * o) for u, o in zip(upstreams, outs, strict=True)))

            try:
                theirs = self._call(forward.name, inputs, deadline)
            except _Unusable:
                return ""
            pairs = list(_leaves(theirs, reference, forward.returns))
            if all(bad is None and compare(got, exp, forward.tolerance) is None
                   for _, got, exp, bad in pairs):
                return ""  # their forward is right: the plain comparison already says it all
            what = f"Your {forward.name} is wrong too"
        else:
            inputs = list(case.args)
            loss_name = gradient.loss or ""
            forward = exercise

            def own(a: Sequence[Any]) -> float:
                loss = dict(_flat(self._call(exercise.name, a, deadline),
                                  exercise.returns)).get(loss_name)
                if not isinstance(loss, float | np.floating | int) or isinstance(loss, bool):
                    raise _Unusable  # a loss that is not a number: nothing to differentiate
                return float(loss)

            got_loss = dict(_flat(value, exercise.returns)).get(loss_name)
            expected = expected_for(lesson, exercise, case)
            exp_loss = dict(_flat(expected, exercise.returns))[loss_name]
            if compare(got_loss, exp_loss, exercise.tolerance) is None:
                return ""
            what = f"Your {loss_name} is wrong too"
        grads = dict(_flat(value, exercise.returns))
        verdicts = []
        try:
            with np.errstate(all="ignore"):
                for out_name, param in gradient.wrt.items():
                    i = forward.params.index(param)
                    g = grads.get(out_name)
                    if (not isinstance(g, np.ndarray) or g.shape != np.shape(inputs[i])
                            or g.dtype.kind not in "fiu"):
                        return ""
                    err = check_gradient(own, inputs, i, g, directions=2, coords=2)
                    verdicts.append((out_name, err))
        except _Unusable:
            return ""
        bad = [name for name, err in verdicts if err > 1e-4]
        if not bad:
            return (f"{what}, but your gradients are consistent with it (central differences of "
                    "your own forward agree): fix the forward first.")
        return (f"{what}, and {', '.join(bad)} also disagree(s) with central differences of your "
                "own forward: the backward has its own mistake.")

    def _call(self, fn: str, args: Sequence[Any], deadline: float) -> Any:
        outcome = self.sandbox.call(fn, list(copy.deepcopy(args)),
                                    max(0.0, deadline - time.monotonic()))
        if not outcome.ok:
            raise _Unusable
        return outcome.value


class _Unusable(Exception):
    """The learner's function could not be evaluated for a finite-difference check."""


def _update_base(exercise: Exercise, name: str, args: Sequence[Any],
                 expected: Any) -> np.ndarray | None:
    """The input that the returned value ``name`` is declared an update of, if any."""
    param = exercise.update.get(name)
    i = exercise.params.index(param) if param else len(args)
    base = args[i] if i < len(args) else None
    if (isinstance(base, np.ndarray) and isinstance(expected, np.ndarray)
            and base.shape == expected.shape):
        return base.astype(np.float64)
    return None


def _reply_budget(expected: Any) -> int:
    """How many bytes of arrays a reply may carry: a few times what the reference returns
    (a wrong shape or dtype still comes back whole), never less than 1 MiB."""
    def nbytes(v: Any) -> int:
        if isinstance(v, np.ndarray):
            return v.size * 16  # as complex128, the widest dtype compared
        if isinstance(v, list | tuple):
            return sum(nbytes(x) for x in v)
        if isinstance(v, dict):
            return sum(nbytes(x) for x in v.values())
        return 64
    return max(1 << 20, 4 * nbytes(expected))


def _scale(exercise: Exercise, args: Sequence[Any],
           leaves: list[tuple[str, Any, Any, Mismatch | None]]) -> float:
    """The scale of what the reference returns in this call (updates as w_new - w): the
    floor of the relative error of an array that is zero throughout (compare.SCALE_FLOOR)."""
    values = []
    for name, _, exp, _ in leaves:
        base = _update_base(exercise, name, args, exp)
        values.append(exp - base if base is not None else exp)
    return scale_of(values)


def _err(a: Any, b: Any) -> float | None:
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # e.g. complex values cast to float
            return rel_error(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    except (TypeError, ValueError):
        return None


def _same(a: Any, b: Any, tolerance: float) -> bool:
    """Equal shapes and values within tolerance (for matching a known mistake)."""
    if np.shape(a) != np.shape(b):
        return False
    err = _err(a, b)
    return err is not None and err <= tolerance


def _flat(value: Any, returns: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """Name each returned value: 'dx', and 'grads.w1' inside a returned dict."""
    if len(returns) > 1 and not isinstance(value, tuple | list):
        return  # not the contract's tuple: nothing can be named
    values = [value] if len(returns) == 1 else list(value)
    for name, v in zip(returns, values, strict=False):
        yield name, v
        if isinstance(v, dict):
            for key, inner in v.items():
                yield f"{name}.{key}", inner
        elif isinstance(v, list | tuple):
            for i, inner in enumerate(v):
                yield f"{name}[{i}]", inner


def _leaves(got: Any, exp: Any,
            returns: Sequence[str]) -> Iterator[tuple[str, Any, Any, Mismatch | None]]:
    """Pair each expected value with what the learner returned, or say why they can't be."""
    if len(returns) > 1:
        if not isinstance(got, tuple | list) or len(got) != len(returns):
            yield ("returned value", got, exp, Mismatch(
                "wrong-return", f"returned {describe(got)}, expected a tuple "
                f"({', '.join(returns)})"))
            return
        for name, g, e in zip(returns, got, exp, strict=True):
            yield from _leaf(name, g, e)
    else:
        yield from _leaf(returns[0], got, exp)


def _leaf(name: str, got: Any, exp: Any) -> Iterator[tuple[str, Any, Any, Mismatch | None]]:
    if isinstance(exp, dict):
        if not isinstance(got, dict) or set(got) != set(exp):
            keys = ", ".join(sorted(exp))
            have = f"keys {', '.join(map(str, got))}" if isinstance(got, dict) else describe(got)
            yield (name, got, exp, Mismatch(
                "wrong-return", f"`{name}` must be a dict with keys {keys}; got {have}"))
            return
        for key in exp:
            yield from _leaf(f"{name}.{key}", got[key], exp[key])
    elif isinstance(exp, list | tuple):
        if not isinstance(got, list | tuple) or len(got) != len(exp):
            yield (name, got, exp, Mismatch("wrong-return", f"`{name}` must be a list of "
                                            f"{len(exp)} arrays; got {describe(got)}"))
            return
        for i, (g, e) in enumerate(zip(got, exp, strict=True)):
            yield from _leaf(f"{name}[{i}]", g, e)
    else:
        yield (name, got, exp, None)


def failed(result: ExerciseResult, outcome: Outcome, label: str, cases_left: int,
           explain: Callable[[str], Finding | None]) -> bool:
    """Record a call that did not return (its check, diagnosed by ``explain`` when it
    raised); True when the exercise's other cases would only fail the same way."""
    finding = explain(outcome.message) if outcome.kind in ("exception", "import-error") \
        else None
    result.checks.append(Check(label, outcome.kind, outcome.message,
                               diagnosis=finding.id if finding else None,
                               diagnosis_message=finding.message if finding else ""))
    result.traceback, result.line = outcome.traceback, outcome.line
    if outcome.kind not in STOPPING:
        return False
    if cases_left:
        result.checks.append(Check(f"{cases_left} more case(s)", "skipped",
                                   f"not run after {outcome.kind}"))
    return True


def concluded(result: ExerciseResult) -> ExerciseResult:
    """The exercise's verdict: its first failing check's, or pass."""
    failing = [c for c in result.checks if not c.passed and c.verdict != "skipped"]
    if failing:
        result.verdict = failing[0].verdict
        result.message = _summary(failing, result.checks)
    else:
        result.message = f"all {len(result.checks)} checks pass"
    return result


def _summary(failing: list[Check], checks: list[Check]) -> str:
    first = failing[0]
    total = len([c for c in checks if c.verdict != "skipped"])
    text = f"{len(failing)} of {total} checks fail; first: {first.name}: {first.message}"
    if first.diagnosis_message:
        text += f" — {first.diagnosis_message}"
    return text
