"""``tutor dev check``: hold a lesson to the bar every lesson must meet.

Every stub fails as shipped, the reference passes, every reference gradient agrees with
central differences, every mutant is rejected with the diagnosis it declares, every quiz
answer key verifies (numeric ones for a thousand learners, against the wrong answers they
declare), and nothing stray is in the folder.
"""

import ast
import copy
import io
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cases import Case
from .diagnose import GENERIC
from .gradcheck import check_gradient
from .grader import Grader
from .kernel_grader import KERNEL_DIAGNOSES, sandbox_for
from .lesson import Exercise, Lesson
from .schema import LessonError

ALLOWED_FILES = {"__init__.py", "lesson.toml", "quiz.toml", "quiz.py", "stub.py",
                 "reference.py", "cases.py", "fast_ops.py", "cuda_ops.py", "experiment.py",
                 "README.md"}
ALLOWED_DIRS = {"pages": ".md", "mutants": ".py", "data": ""}
VERDICT_DIAGNOSES = {"mutated-input", "returned-input", "wrong-shape", "wrong-dtype",
                     "wrong-type", "array-subclass", "wrong-return", "non-finite", "exception",
                     "over-budget", "race"}
MIN_QUESTIONS, MIN_NUMERIC, MIN_MISCONCEPTIONS, MIN_HINTS, MIN_MUTANTS = 10, 3, 2, 3, 3
MIN_WORDS = 1500
QUIZ_SAMPLES = 1000  # seeds each numeric question is posed with
# Reference gradients are checked on the cases whose inputs stay within ±GRADCHECK_MAX_INPUT
# (beyond, central differences lose their digits), along random directions.
GRADCHECK_MAX_INPUT, GRADCHECK_TOLERANCE = 100.0, 1e-5


@dataclass(frozen=True)
class Minimum:
    """A bar every lesson meets (docs/plugins.md lists them, with why)."""

    name: str  # the item in the report
    least: int
    counted: str
    how: str  # what to do to meet it


MINIMUMS = (
    Minimum("quiz size", MIN_QUESTIONS, "questions",
            "add [[questions]] to quiz.toml, each with an explanation"),
    Minimum("numeric questions", MIN_NUMERIC, "numeric questions",
            'add questions with kind = "numeric" whose generator in quiz.py draws the numbers '
            "per learner and computes the answer with reference.py"),
    Minimum("misconception items", MIN_MISCONCEPTIONS, "misconception items",
            "add questions built on a widely circulated wrong formula, with misconception = true"),
    Minimum("hints", MIN_HINTS, "hints per exercise",
            "give the exercise a ladder of hints in lesson.toml, from a nudge to nearly the "
            "solution"),
    Minimum("mutants per exercise", MIN_MUTANTS, "mutants per exercise",
            "add realistic wrong versions to mutants/, each naming its EXERCISE and DIAGNOSIS"),
)


@dataclass
class Item:
    name: str
    ok: bool
    detail: str = ""
    warning: bool = False  # reported, but does not fail the check


def check_lesson(lesson: Lesson) -> list[Item]:
    items: list[Item] = []
    for part in (_files, _content, _stub, _reference, _gradients, _mutants, _quiz,
                 _quiz_samples, _layers, minimums):
        try:
            items.extend(part(lesson))
        except LessonError as e:
            items.append(Item(part.__name__.strip("_"), False, str(e)))
        except Exception as e:  # a broken lesson module must be reported, not crash the check
            items.append(Item(part.__name__.strip("_"), False, f"{type(e).__name__}: {e}"))
    return items


def _files(lesson: Lesson) -> list[Item]:
    stray = []
    for path in sorted(lesson.folder.iterdir()):
        if path.name == "__pycache__":
            continue
        if path.is_dir():
            suffix = ALLOWED_DIRS.get(path.name)
            if suffix is None:
                stray.append(path.name + "/")
                continue
            stray += [f"{path.name}/{p.name}" for p in path.iterdir()
                      if p.name != "__pycache__" and suffix and p.suffix != suffix]
        elif path.name not in ALLOWED_FILES:
            stray.append(path.name)
    for required in ("stub.py", "reference.py", "cases.py"):
        if lesson.exercises and not (lesson.folder / required).is_file():
            stray.append(f"(missing {required})")
    return [Item("files", not stray, "stray or missing: " + ", ".join(stray) if stray else
                 "no stray files")]


def _content(lesson: Lesson) -> list[Item]:
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in lesson.pages)
    items = [Item("prose", bool(lesson.pages), f"{len(lesson.pages)} pages, {words} words"
                  if lesson.pages else "no pages: list Markdown files in lesson.toml's pages")]
    for layer in ("fast_ops", "cuda_ops", "experiment"):
        if not lesson.has_module(layer):
            items.append(Item(layer, True, f"no {layer}.py", warning=True))
    return items


def _stub(lesson: Lesson) -> list[Item]:
    tree = ast.parse(lesson.stub_path.read_text(encoding="utf-8"))
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    items = []
    for ex in lesson.exercises:
        node = defs.get(ex.name)
        if node is None:
            items.append(Item(f"stub {ex.name}", False, "stub.py does not define it"))
            continue
        params = tuple(a.arg for a in node.args.args)
        required = len(params) - len(node.args.defaults)
        if params != ex.params or required != ex.required:
            items.append(Item(f"stub {ex.name}", False,
                              f"stub signature ({', '.join(params)}) differs from {ex.signature}"))
        if not ast.get_docstring(node):
            items.append(Item(f"stub {ex.name}", False, "no docstring"))
    with sandbox_for(lesson, lesson.stub_path) as sandbox:
        results = Grader(lesson, lesson.stub_path, sandbox=sandbox).grade()
    passing = [r.exercise for r in results if r.passed]
    items.append(Item("stub fails as shipped", not passing,
                      f"stub passes {', '.join(passing)}" if passing else
                      f"all {len(results)} exercises fail"))
    return items


def _reference(lesson: Lesson) -> list[Item]:
    """The reference passes: reference.py, and for kernel exercises the reference kernels
    (cuda_ops.py), graded like a learner's file."""
    results = []
    for path in dict.fromkeys(lesson.solution_path(e) for e in lesson.exercises):
        exercises = [e for e in lesson.exercises if lesson.solution_path(e) == path]
        with sandbox_for(lesson, path) as sandbox:
            results += Grader(lesson, path, sandbox=sandbox).grade(exercises)
    failing = [f"{r.exercise} ({r.verdict}: {r.message})" for r in results if not r.passed]
    return [Item("reference passes", not failing,
                 "; ".join(failing) if failing else f"all {len(results)} exercises pass")]


def smoothed(args: tuple[Any, ...]) -> list[Any]:
    """Float inputs nudged off exact kinks (x == 0, where ReLU-like functions bend), for
    central differences."""
    return [np.where(a == 0.0, 0.3, a) if isinstance(a, np.ndarray) and a.dtype == np.float64
            else a for a in args]


def reference_loss(lesson: Lesson, exercise: Exercise, args: Sequence[Any]) -> tuple[
        Callable[[Sequence[Any]], float], list[Any], dict[int, np.ndarray]]:
    """(L, inputs, gradients): L as a function of the inputs (Σ_k sum(upstream_k · out_k) of
    the forward for a backward exercise, else the returned loss), and the reference's
    gradients of L, keyed by the index of the input each is the gradient for."""
    from .grader import _flat

    ref, g = lesson.reference, exercise.gradient
    assert g is not None
    named = dict(_flat(getattr(ref, exercise.name)(*copy.deepcopy(list(args))),
                       exercise.returns))
    if g.of:
        forward = lesson.exercise(g.of)
        k = len(forward.returns)
        upstreams, inputs = list(args[:k]), list(args[k:])

        def loss(a: Sequence[Any]) -> float:
            out = getattr(ref, forward.name)(*copy.deepcopy(list(a)))
            outs = [out] if k == 1 else list(out)
            return float(sum(np.sum(u * o) for u, o in zip(upstreams, outs, strict=True)))
    else:
        forward, inputs, name = exercise, list(args), g.loss or ""

        def loss(a: Sequence[Any]) -> float:
            value = getattr(ref, exercise.name)(*copy.deepcopy(list(a)))
            return float(dict(_flat(value, exercise.returns))[name])
    return loss, inputs, {forward.params.index(param): np.asarray(named[out], dtype=np.float64)
                          for out, param in g.wrt.items()}


def _gradients(lesson: Lesson) -> list[Item]:
    """Every reference gradient agrees with central differences of the reference's own
    forward (or loss), on every graded case of moderate magnitude."""
    from .grader import cases_for

    items = []
    for ex in lesson.exercises:
        if ex.gradient is None:
            continue
        bad, checked = [], 0
        for n, case in enumerate(cases_for(lesson, ex)):
            args = smoothed(case.args)
            if max((float(np.max(np.abs(a), initial=0.0)) for a in args
                    if isinstance(a, np.ndarray) and a.dtype == np.float64), default=0.0) \
                    > GRADCHECK_MAX_INPUT:
                continue  # central differences lose their digits at large magnitudes
            with np.errstate(all="ignore"):
                loss, inputs, grads = reference_loss(lesson, ex, args)
                for i, analytic in grads.items():
                    err = check_gradient(loss, inputs, i, analytic, directions=4, coords=0,
                                         rng=np.random.default_rng(n))
                    checked += 1
                    if not err <= GRADCHECK_TOLERANCE:
                        param = (lesson.exercise(ex.gradient.of) if ex.gradient.of else ex
                                 ).params[i]
                        bad.append(f"{case.label}: d/d{param} off by {err:.1e}")
        if bad or not checked:
            items.append(Item(f"reference gradients {ex.name}", False,
                              "; ".join(bad[:3]) if bad else "no graded case is small enough "
                              f"(every input within ±{GRADCHECK_MAX_INPUT:g}) to check"))
    checked_all = [e.name for e in lesson.exercises if e.gradient]
    if checked_all and not items:
        items.append(Item("reference gradients", True, f"{len(checked_all)} exercise"
                          f"{'s' * (len(checked_all) != 1)} agree with central differences"))
    return items


def _mutants(lesson: Lesson) -> list[Item]:
    mutants = lesson.mutants()
    names = {e.name for e in lesson.exercises}
    known = GENERIC | VERDICT_DIAGNOSES | KERNEL_DIAGNOSES | {d.id for d in lesson.diagnoses}
    items = []
    with tempfile.TemporaryDirectory(prefix="tutor-mutants-") as tmp, \
            sandbox_for(lesson, lesson.reference_path) as sandbox:
        for mutant in mutants:
            label = f"mutant {mutant.name}"
            if mutant.exercise not in names:
                items.append(Item(label, False, f"EXERCISE = {mutant.exercise!r} is not an "
                                  "exercise of this lesson"))
                continue
            if mutant.diagnosis not in known:
                items.append(Item(label, False, f"DIAGNOSIS = {mutant.diagnosis!r} is neither a "
                                  "[[diagnoses]] id of the lesson nor a generic diagnosis"))
                continue
            base = lesson.solution_path(lesson.exercise(mutant.exercise))
            source = base.read_text(encoding="utf-8")
            path = Path(tmp) / f"{mutant.name}.py"
            path.write_text(source + "\n\n# --- mutant ---\n" + mutant.source, encoding="utf-8")
            sandbox.switch(path)
            grader = Grader(lesson, path, sandbox=sandbox)
            result = grader.grade_exercise(lesson.exercise(mutant.exercise))
            found = {c.diagnosis for c in result.checks} | {c.verdict for c in result.checks}
            if result.passed:
                items.append(Item(label, False, "passes: the cases do not catch this bug"))
            elif mutant.diagnosis not in found:
                got = sorted(x for x in found if x and x != "pass")
                items.append(Item(label, False, f"rejected, but diagnosed as {', '.join(got)} "
                                  f"instead of {mutant.diagnosis}"))
            else:
                items.append(Item(label, True, f"rejected: {mutant.diagnosis}"))
    return items


def _quiz(lesson: Lesson) -> list[Item]:
    quiz = lesson.quiz
    qs = quiz.questions
    numeric = [q for q in qs if q.kind == "numeric"]
    items = []
    bad = [q.id for q in qs if not q.explanation.strip()]
    if bad:
        items.append(Item("explanations", False, "missing for " + ", ".join(bad)))
    problems = []
    for q in numeric:
        seen = set()
        for learner in ("a", "b", "c", "d", "e"):
            try:
                posed = quiz.pose(q, learner)
                again = quiz.pose(q, learner)
            except LessonError as e:
                problems.append(f"{q.id}: {e}")
                break
            if not math.isfinite(posed.answer):
                problems.append(f"{q.id}: answer {posed.answer} for learner {learner}")
            elif posed != again:
                problems.append(f"{q.id}: not reproducible for the same learner")
            elif not posed.is_correct(posed.parse(f"{posed.answer!r}")):
                problems.append(f"{q.id}: its own answer is not accepted")
            elif posed.answer != 0 and posed.is_correct(posed.answer * 1.5):
                problems.append(f"{q.id}: tolerance accepts an answer 50% off")
            seen.add(posed.prompt)
        if len(seen) == 1:
            problems.append(f"{q.id}: every learner gets the same numbers")
    items.append(Item("quiz answer keys", not problems,
                      "; ".join(problems) if problems else
                      f"{len(qs)} questions; numeric ones verified for 5 learners"))
    return items


def _quiz_samples(lesson: Lesson) -> list[Item]:
    """Every numeric question, posed for QUIZ_SAMPLES learners: its generator declares the
    wrong answers it exists to catch, the tolerance rejects each of them (as computed and as
    rounded the way the prompt asks), the key is finite, and the key rounded the way the
    prompt asks is accepted."""
    numeric = [q for q in lesson.quiz.questions if q.kind == "numeric"]
    if not numeric:
        return []
    problems = []
    for q in numeric:
        found: dict[str, str] = {}
        for n in range(QUIZ_SAMPLES):
            try:
                posed = lesson.quiz.pose(q, f"sample-{n}")
            except LessonError as e:  # a key that is not finite, or no draw that works
                found.setdefault("error", f"learner sample-{n}: {e}")
                break
            if not posed.wrong:
                found.setdefault("undeclared", "its generator declares no wrong answers "
                                 "(return (params, answer, wrong))")
            if accepted := posed.accepted_wrong():
                found.setdefault("wrong", f"accepts {', '.join(accepted)} "
                                 f"({posed.answer:.6g} is right; learner sample-{n})")
            if not all(posed.is_correct(v) for v in posed.rounded(posed.answer)):
                kind, digits = q.rounding
                unit = "decimal place" if kind == "decimals" else "significant digit"
                found.setdefault("rounded", f"rejects its key {posed.answer!r} rounded to "
                                 f"{digits} {unit}{'s' * (digits != 1)} (learner sample-{n}); "
                                 "a prompt says how to round (\"to 3 decimal places\", "
                                 "\"to 3 significant digits\"), "
                                 "or its answer is a whole number")
        problems += [f"{q.id}: {text}" for text in found.values()]
    return [Item("quiz sampling", not problems, "; ".join(problems) if problems else
                 f"{len(numeric)} questions × {QUIZ_SAMPLES} learners: wrong answers "
                 "rejected, rounded keys accepted")]


def _layers(lesson: Lesson) -> list[Item]:
    """The Numba and CUDA versions agree with the reference; the experiment and race inputs
    run. (Importing these modules is slow, so only the authoring check does it.)"""
    import copy

    from . import kernel_grader
    from .grader import cases_for, expected_for
    from .race import max_rel_error

    items = []
    for module in ("fast_ops", "cuda_ops"):
        if not lesson.has_module(module):
            continue
        try:
            if module == "cuda_ops":
                from . import accel

                accel.select_cuda_target()
            mod = lesson.module(module)
            names = [e.name for e in lesson.exercises if callable(getattr(mod, e.name, None))]
            off = []
            for name in names:
                ex = lesson.exercise(name)
                case = cases_for(lesson, ex)[0]
                if ex.kernel is not None:  # a kernel, or a function writing its outputs
                    err = max_rel_error(kernel_grader.run_plain(getattr(mod, name), ex, case,
                                                                module == "cuda_ops"),
                                        kernel_grader.expected(lesson, ex, case))
                else:
                    err = max_rel_error(getattr(mod, name)(*copy.deepcopy(case.args)),
                                        expected_for(lesson, ex, case))
                if not err <= ex.tolerance:
                    off.append(f"{name} (relative error {err:.1e})")
        except Exception as e:
            items.append(Item(module, False, f"{type(e).__name__}: {e}"))
            continue
        items.append(Item(module, bool(names) and not off,
                          "differs from the reference: " + ", ".join(off) if off else
                          f"{len(names)} functions agree with the reference" if names else
                          "defines none of the lesson's functions"))
    if lesson.has_module("experiment"):
        try:
            from rich.console import Console

            frame = next(iter(lesson.module("experiment").frames(lesson.reference)))
            Console(file=io.StringIO(), width=80).print(frame)
            items.append(Item("experiment", True, "its first frame renders"))
        except Exception as e:
            items.append(Item("experiment", False, f"{type(e).__name__}: {e}"))
    make = getattr(lesson.module("cases"), "race_inputs", None)
    if make is not None:
        try:
            for ex in lesson.exercises:
                expected_for(lesson, ex, Case("race", tuple(make(ex.name,
                                                                  np.random.default_rng(0), 4))))
            items.append(Item("race inputs", True, "the reference runs on them"))
        except Exception as e:
            items.append(Item("race inputs", False, f"{type(e).__name__}: {e}"))
    return items


def minimums(lesson: Lesson) -> list[Item]:
    """The counted minimums (quick: nothing is graded), each failure saying what it takes.
    The prose length is a warning, not a failure."""
    known = GENERIC | VERDICT_DIAGNOSES | KERNEL_DIAGNOSES | {d.id for d in lesson.diagnoses}
    mutants = [m for m in lesson.usable_mutants() if m.diagnosis in known]
    counts = {
        "hints": {e.name: len(e.hints) for e in lesson.exercises},
        "mutants per exercise": {e.name: sum(m.exercise == e.name for m in mutants)
                                 for e in lesson.exercises},
    }
    try:
        qs = lesson.quiz.questions
        counts |= {"quiz size": {"": len(qs)},
                   "numeric questions": {"": sum(q.kind == "numeric" for q in qs)},
                   "misconception items": {"": sum(q.misconception for q in qs)}}
    except LessonError:
        pass  # a quiz that cannot be read is the quiz check's to report, once
    items = []
    for m in (m for m in MINIMUMS if m.name in counts):
        short = {name: n for name, n in counts[m.name].items() if n < m.least}
        if not short:
            n = counts[m.name].get("")
            items.append(Item(m.name, True, f"{n} {m.counted} (at least {m.least})"
                              if n is not None else f"at least {m.least} {m.counted}"))
        elif "" in short:
            items.append(Item(m.name, False, f"{short['']} of at least {m.least} {m.counted}: "
                              f"{m.how}"))
        else:
            few = ", ".join(f"{name} has {n}" for name, n in short.items())
            items.append(Item(m.name, False, f"{few}; at least {m.least} {m.counted}: {m.how}"))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in lesson.pages)
    if lesson.pages and words < MIN_WORDS:
        items.append(Item("prose length", True, f"{words} words; lessons run about "
                          f"{MIN_WORDS}-4000 (teach the derivation, a worked example and the "
                          "pitfalls)", warning=True))
    return items


def print_report(console: Any, lesson: Lesson, items: list[Item]) -> None:
    from rich.text import Text

    failed = [i for i in items if not i.ok]
    head = Text(f"{lesson.id}", style="bold")
    head.append(f"  ({lesson.plugin}, {lesson.folder})", style="dim")
    console.print(head)
    for item in items:
        if item.ok and not item.warning and item.name.startswith("mutant "):
            continue  # summarised below
        mark, style = ("✓", "green") if item.ok else ("✗", "red")
        if item.warning:
            mark, style = "!", "yellow"
        console.print(Text(f"  {mark} ", style=style) + Text(item.name, style="bold")
                      + Text(f"  {item.detail}"))
    rejected = sum(1 for i in items if i.ok and i.name.startswith("mutant "))
    console.print(Text("  ✓ ", style="green") + Text("mutants rejected", style="bold")
                  + Text(f"  {rejected} with the declared diagnosis"))
    console.print(Text(f"  {'ok' if not failed else f'{len(failed)} problem(s)'}\n",
                       style="bold green" if not failed else "bold red"))


