"""Grading CUDA kernels: the grader's path for exercises with a ``[exercises.kernel]`` table.

For each case the grader makes the arguments (the outputs filled with a NaN of its own, so
an element never written shows), launches the learner's kernel in their sandbox under
Numba's CUDA simulator, and reads the outputs back from the shared buffer the kernel wrote:
the values it compares never travel through the learner's reply. Then, from what the
launcher measured in the learner's process, the global reads and writes per thread against
the budget (``over-budget``) and the shared-memory hazards and barriers (``race``). Those
measurements could be faked by a hostile file; they can only ever fail a check, never pass
one, and the values are judged from the buffer alone.

The lesson's own kernels (its reference kernels in ``cuda_ops.py``, and its mutants) run in
a second sandbox process that holds no learner code: the reference's reads per thread are
shown beside the learner's, and a wrong output that matches a mutant's gets that mutant's
diagnosis.
"""

import atexit
import copy
import hashlib
import math
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .cases import Case
from .compare import compare, rel_error, scale_of
from .diagnose import Finding, diagnose, error_map, exception
from .lesson import Exercise, Lesson
from .sandbox.supervisor import Limits, Outcome, Sandbox
from .schema import LessonError

if TYPE_CHECKING:
    from .grader import Check, ExerciseResult, Grader

# What a kernel lesson's sandbox shows and sets: Numba, numba-cuda (and the CUDA bindings
# it imports), with the simulator switched on before numba.cuda is imported.
PACKAGES = ("numpy", "numba", "llvmlite", "numba_cuda", "cuda", "_numba_cuda_redirector")
ENV = {"NUMBA_ENABLE_CUDASIM": "1"}
# The NaNs the outputs start as (tutor.sandbox.kernels sets shared arrays to the other).
UNWRITTEN_OUT = 0x7FF8_0000_00C0_FFEE
UNWRITTEN_SHARED = 0x7FF8_0000_005E_A5ED
# The diagnoses this path finds by itself (a mutant may declare them, like the generic ones).
KERNEL_DIAGNOSES = {"out-of-bounds", "unwritten", "unwritten-shared", "missing-barrier",
                    "divergent-barrier", "over-budget"}
REPORT_BYTES = 1 << 22  # a launch's measurements: two int64 counts per simulated thread
MAX_MAP = (8, 12)  # rows and columns of a traffic map's cells (two fit in 60 columns)


def sandbox_for(lesson: Lesson, path: Path | str, limits: Limits | None = None,
                hide: tuple[Path, ...] = ()) -> Sandbox:
    """The sandbox a lesson's file is graded in: with the CUDA simulator for a lesson with
    kernel exercises, NumPy alone for the others."""
    limits = limits or Limits()
    if lesson.has_kernels:
        return Sandbox(path, limits, hide=hide, packages=PACKAGES, env=ENV, kernels=True)
    return Sandbox(path, limits, hide=hide)


def unwritten(shape: tuple[int, ...]) -> np.ndarray:
    """An output as the grader hands it to a kernel: every element the "never written" NaN."""
    return np.full(shape, UNWRITTEN_OUT, dtype=np.uint64).view(np.float64)


def _payload(values: np.ndarray, bits: int) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.uint64) == bits


def arguments(exercise: Exercise, case: Case) -> tuple[list[Any], list[int]]:
    """The launch's arguments (copies; the outputs replaced by never-written NaNs) and the
    indices of the outputs."""
    outputs = [exercise.params.index(name) for name in exercise.returns]
    args = list(copy.deepcopy(case.args))
    for i in outputs:
        args[i] = unwritten(np.shape(args[i]))
    return args, outputs


def run_plain(kernel: Any, exercise: Exercise, case: Case, launch: bool) -> list[np.ndarray]:
    """The outputs of the lesson's own ``kernel`` on a case, unmeasured: launched as a CUDA
    kernel (on the GPU, or Numba's simulator) with ``launch``, else called as a function
    that writes its outputs (the Numba CPU versions)."""
    assert exercise.kernel is not None
    args, outputs = arguments(exercise, case)
    if launch:
        grid, block = exercise.kernel.launch(exercise.params, args)
        kernel[tuple(grid), tuple(block)](*args)
    else:
        kernel(*args)
    return [args[i] for i in outputs]


def expected(lesson: Lesson, exercise: Exercise, case: Case) -> list[np.ndarray]:
    """What the NumPy reference writes into the outputs for a case."""
    reference = lesson.function("reference", exercise.name)
    args, outputs = arguments(exercise, case)
    try:
        with np.errstate(all="ignore"):
            reference(*args)
    except Exception as e:
        raise LessonError(f"{lesson.reference_path}: {exercise.name} failed on case "
                          f"{case.label!r}: {type(e).__name__}: {e}") from e
    return [args[i] for i in outputs]


# -- the lesson's own kernels, in a process of their own ---------------------------------------

class LessonKernels:
    """The lesson's reference kernels and mutants, run in a sandbox of their own (trusted
    code, and never in the learner's process, which must not see them)."""

    def __init__(self, lesson: Lesson, limits: Limits):
        self.lesson = lesson
        self.limits = Limits(seconds=limits.seconds, memory_mb=limits.memory_mb, jail="none")
        self.lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="tutor-kernels-")
        self._files: dict[str, Path] = {}
        self._sandbox: Sandbox | None = None
        self._current: Path | None = None
        self._memo: dict[tuple[str | None, str, str], Outcome] = {}

    def _file(self, mutant: str | None) -> Path:
        key = mutant or ""
        if key not in self._files:
            source = self.lesson.kernel_reference_path.read_text(encoding="utf-8")
            if mutant is not None:
                found = next(m for m in self.lesson.usable_mutants() if m.name == mutant)
                source += "\n\n# --- mutant ---\n" + found.source
            path = Path(self._tmp.name) / f"{mutant or 'reference'}.py"
            path.write_text(source, encoding="utf-8")
            self._files[key] = path
        return self._files[key]

    def start(self) -> None:
        """Start the process now (it imports Numba while the learner's process works)."""
        with self.lock:
            if self._sandbox is None:
                self._sandbox = sandbox_for(self.lesson, self._file(None), self.limits)
                self._sandbox.start()
                self._current = self._file(None)

    def launch(self, exercise: Exercise, case: Case, mutant: str | None = None) -> Outcome:
        """The lesson's kernel (or a mutant's) on a case; the same launch again is answered
        from memory (the lesson's kernels are deterministic, and a batch of files, or dev
        check's mutants, asks for the same ones over and over)."""
        self.start()
        assert self._sandbox is not None and exercise.kernel is not None
        args, outputs = arguments(exercise, case)
        key = (mutant, exercise.name, _fingerprint(args))
        with self.lock:
            if key in self._memo:
                return self._memo[key]
            path = self._file(mutant)
            if path != self._current:
                self._sandbox.switch(path)
                self._current = path
            grid, block = exercise.kernel.launch(exercise.params, args)
            outcome = self._sandbox.launch(exercise.name, args, list(exercise.params), grid,
                                           block, outputs, self.limits.seconds, REPORT_BYTES)
            if outcome.ok:
                self._memo[key] = outcome
            return outcome

    def close(self) -> None:
        with self.lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            self._tmp.cleanup()


def _fingerprint(args: list[Any]) -> str:
    digest = hashlib.sha1()
    for a in args:
        data = np.ascontiguousarray(a) if isinstance(a, np.ndarray) else np.asarray(repr(a))
        digest.update(repr((data.shape, data.dtype.str)).encode())
        digest.update(data.tobytes())
    return digest.hexdigest()


_lesson_kernels: dict[Path, LessonKernels] = {}
_registry_lock = threading.Lock()


def lesson_kernels(lesson: Lesson, limits: Limits) -> LessonKernels:
    """One process per lesson for its own kernels, kept for the life of tutor."""
    with _registry_lock:
        found = _lesson_kernels.get(lesson.folder)
        if found is None:
            found = _lesson_kernels[lesson.folder] = LessonKernels(lesson, limits)
        return found


@atexit.register
def _close_all() -> None:
    for kernels in list(_lesson_kernels.values()):
        kernels.close()
    _lesson_kernels.clear()


# -- what the launcher measured -----------------------------------------------------------------

class Report:
    """The launcher's measurements, checked: anything malformed makes it None."""

    def __init__(self, reads: np.ndarray, writes: np.ndarray, races: list[dict[str, Any]],
                 barriers: list[dict[str, Any]]):
        self.reads, self.writes, self.races, self.barriers = reads, writes, races, barriers

    @classmethod
    def parse(cls, value: Any, grid: list[int], block: list[int]) -> "Report | None":
        if not isinstance(value, dict) or set(value) != {"reads", "writes", "races",
                                                         "barriers"}:
            return None
        g = grid + [1] * (3 - len(grid))
        b = block + [1] * (3 - len(block))
        threads = math.prod(g) * math.prod(b)
        counts = []
        for key in ("reads", "writes"):
            a = value[key]
            if not (isinstance(a, np.ndarray) and a.dtype.kind in "iu" and a.ndim == 2
                    and a.size == threads and (a >= 0).all()):
                return None
            counts.append(a.astype(np.int64))
        races, barriers = value["races"], value["barriers"]
        if not (isinstance(races, list) and isinstance(barriers, list)
                and all(_entry(r, _RACE_KEYS) for r in races)
                and all(_entry(r, _BARRIER_KEYS) for r in barriers)):
            return None
        return cls(counts[0], counts[1], races, barriers)


_RACE_KEYS = {"kind": str, "array": str, "index": list, "block": list, "thread": list,
              "line": int, "other": list, "other_line": int}
_BARRIER_KEYS = {"block": list, "thread": list, "line": int, "other": list,
                 "other_line": int, "how": str}


def _entry(entry: Any, keys: dict[str, type]) -> bool:
    if not isinstance(entry, dict) or set(entry) != set(keys):
        return False
    for key, kind in keys.items():
        value = entry[key]
        if kind is str and not isinstance(value, str | np.str_):
            return False
        if kind is int and type(value) is not int:
            return False
        if kind is list and not (isinstance(value, list) and len(value) <= 8
                                 and all(type(v) is int for v in value)):
            return False
    return True


def _dim(values: list[int]) -> str:
    shown = list(values)
    while len(shown) > 1 and shown[-1] == 0:
        shown.pop()
    return f"({', '.join(map(str, shown))})" if len(shown) > 1 else str(shown[0])


def _line(n: int) -> str:
    return f"line {n}" if n else "?"


def race_message(report: Report) -> tuple[str, str]:
    """(message, diagnosis id) for the first hazard or barrier problem of a launch."""
    if report.barriers:
        b = report.barriers[0]
        where = f"in block {_dim(b['block'])}"
        if str(b["how"]) == "returned":
            text = (f"{where}, thread {_dim(b['thread'])} waits at the barrier at "
                    f"{_line(b['line'])}, which thread {_dim(b['other'])} never reaches "
                    "(it finished first)")
        else:
            text = (f"{where}, thread {_dim(b['thread'])} waits at the barrier at "
                    f"{_line(b['line'])} and thread {_dim(b['other'])} at the one at "
                    f"{_line(b['other_line'])}")
        return text + ": a cuda.syncthreads() that not every thread of the block reaches " \
            "(inside an if, a loop some threads leave early, or after a return)", \
            "divergent-barrier"
    r = report.races[0]
    index = ", ".join(map(str, r["index"]))
    element = f"{r['array']}[{index}]"
    if str(r["kind"]) == "read-after-write":
        text = (f"in block {_dim(r['block'])}, thread {_dim(r['thread'])} reads {element} "
                f"at {_line(r['line'])}, which thread {_dim(r['other'])} wrote at "
                f"{_line(r['other_line'])} with no cuda.syncthreads() in between")
    else:
        text = (f"in block {_dim(r['block'])}, thread {_dim(r['thread'])} writes {element} "
                f"at {_line(r['line'])}, which thread {_dim(r['other'])} read at "
                f"{_line(r['other_line'])} with no cuda.syncthreads() in between")
    more = len(report.races) - 1
    return text + (f" ({more} more hazard{'s' * (more != 1)})" if more > 0 else ""), \
        "missing-barrier"


RACE_DIAGNOSES = {
    "missing-barrier": "On a GPU the threads of a block run in no fixed order: without a "
                       "barrier between one thread's write to shared memory and another's read "
                       "of it (or a read and a later overwrite), the read may see the old "
                       "value or the new one. cuda.syncthreads() after the writes, and before "
                       "the next overwrite, makes every thread wait for all of them.",
    "divergent-barrier": "cuda.syncthreads() waits for every thread of the block: put it "
                         "where all of them reach it, outside the if, with the same number "
                         "of loop iterations for every thread (guard the work, not the "
                         "barrier). On a GPU a barrier some threads skip hangs the block or "
                         "corrupts it.",
}


def traffic_map(reads: np.ndarray, reference: np.ndarray | None, budget: int | None,
                launch: str) -> dict[str, Any]:
    """Global reads per thread, the learner's beside the reference's, max-pooled to a grid
    (a dict the reports and the app draw like an error map)."""
    def pool(a: np.ndarray) -> list[list[int]]:
        rows, cols = a.shape
        rs, cs = -(-rows // MAX_MAP[0]), -(-cols // MAX_MAP[1])
        return [[int(a[r:r + rs, c:c + cs].max()) for c in range(0, cols, cs)]
                for r in range(0, rows, rs)]

    rows, cols = reads.shape
    return {"kind": "traffic", "shape": [rows, cols], "launch": launch,
            "rows_per_cell": -(-rows // MAX_MAP[0]), "cols_per_cell": -(-cols // MAX_MAP[1]),
            "grid": pool(reads), "reference": pool(reference) if reference is not None and
            reference.shape == reads.shape else None,
            "budget": budget, "most": int(reads.max(initial=0)),
            "reference_most": int(reference.max(initial=0)) if reference is not None else None}


# -- grading ------------------------------------------------------------------------------------

def grade(grader: "Grader", exercise: Exercise) -> "ExerciseResult":
    """Every case of a kernel exercise: values, then the budget, then races."""
    from .grader import Check, ExerciseResult, cases_for, concluded, failed

    assert exercise.kernel is not None
    lesson, kernel = grader.lesson, exercise.kernel
    started = time.monotonic()
    deadline = started + grader.limits.seconds
    cases = cases_for(lesson, exercise, grader.seed)
    result = ExerciseResult(exercise.id, "pass", "")
    shown_map = False
    for n, case in enumerate(cases):
        want = expected(lesson, exercise, case)
        args, outputs = arguments(exercise, case)
        try:
            grid, block = kernel.launch(exercise.params, args)
            reads_budget, writes_budget = kernel.budget(exercise.params, args)
        except (ValueError, ZeroDivisionError) as e:
            raise LessonError(f"{lesson.folder / 'lesson.toml'}: {exercise.name}: the launch "
                              f"or budget of case {case.label!r} cannot be computed: {e}") from e
        outcome = grader.sandbox.launch(exercise.name, args, list(exercise.params), grid, block,
                                        outputs, max(0.0, deadline - time.monotonic()),
                                        REPORT_BYTES)
        if outcome.printed and not result.printed:
            result.printed = outcome.printed
        launch = f"grid {_dim(grid)}, block {_dim(block)}"
        if not outcome.ok:
            label = f"loading {grader.path.name}" if outcome.at_load else case.label
            if failed(result, outcome, label, len(cases) - n - 1, _exception_finding):
                break
            continue
        checks: list[Check] = []
        for i in outcome.mutated:
            name = exercise.params[i]
            checks.append(Check(f"{case.label}: inputs", "mutated-input",
                                f"wrote into its input `{name}`: a kernel writes only its "
                                "outputs", diagnosis="mutated-input"))
        report = Report.parse(outcome.value, grid, block)
        values_ok = True
        for name, i, exp in zip(exercise.returns, outputs, want, strict=True):
            got = outcome.outputs.get(i)
            check = _value_check(grader, exercise, case, name, got, exp)
            values_ok = values_ok and check.passed
            checks.append(check)
        if report is None:
            checks.append(Check(f"{case.label}: measurements", "protocol-error",
                                "the launch's measurements came back malformed (did the code "
                                "replace tutor's launcher?)"))
        else:
            budget = _budget_check(grader, exercise, case, report, reads_budget, writes_budget,
                                   launch, with_map=not shown_map)
            shown_map = shown_map or budget.error_map is not None
            checks.append(budget)
            race = _race_check(case, report)
            if not race.passed and not values_ok:
                checks.insert(0, race)  # wrong values under a race are its symptom
            else:
                checks.append(race)
        result.checks.extend(checks)
    result.seconds = time.monotonic() - started
    return concluded(result)


def _exception_finding(message: str) -> Finding | None:
    m = re.search(r"(\w+)\[([\d, -]+)\] is out of bounds: \w+ has shape (\([\d, ]*\))",
                  message)
    if m:
        return Finding("out-of-bounds", f"{m.group(1)}[{m.group(2)}] is outside "
                       f"{m.group(1)}, shape {m.group(3)}: the grid has more threads than "
                       "elements (sizes are rarely a multiple of the block), so every thread "
                       "must check its indices before it reads or writes (a missing or "
                       "off-by-one bounds guard, or a row and a column swapped). On a GPU "
                       "this reads garbage or corrupts memory without an error.")
    return exception(message)


def _value_check(grader: "Grader", exercise: Exercise, case: Case, name: str,
                 got: np.ndarray | None, exp: np.ndarray) -> "Check":
    from .grader import Check

    label = f"{case.label}: {name}"
    if got is None:
        return Check(label, "protocol-error", "the shared buffer holding the outputs was "
                     "changed under the grader (truncated)")
    scale = scale_of([exp])
    mismatch = compare(got, exp, exercise.tolerance, scale)
    if mismatch is None:
        return Check(label, "pass", "", rel_error=rel_error(got, exp, scale))
    finding = _mistake(grader, exercise, case, name, got, exp) or _unwritten_finding(got, exp) \
        or (diagnose(got, exp, batch=None, others={}, tolerance=exercise.tolerance,
                     scale=scale) if mismatch.kind != "non-finite" else None)
    if finding is None and mismatch.kind == "non-finite":
        from .diagnose import non_finite

        finding = non_finite(got)
    return Check(label, mismatch.kind, mismatch.message, rel_error=mismatch.rel_error,
                 diagnosis=finding.id if finding else None,
                 diagnosis_message=finding.message if finding else "",
                 error_map=error_map(got, exp, exercise.tolerance, scale)
                 if exp.ndim >= 1 else None)


def _unwritten_finding(got: np.ndarray, exp: np.ndarray) -> Finding | None:
    never = _payload(got, UNWRITTEN_OUT) & np.isfinite(exp)
    if never.any():
        where = np.argwhere(never)
        first = ", ".join(map(str, where[0]))
        rows = ""
        if got.ndim == 2:
            r = np.flatnonzero(never.any(axis=1))
            c = np.flatnonzero(never.any(axis=0))
            rows = (f" (rows {r[0]}..{r[-1]}, columns {c[0]}..{c[-1]} of "
                    f"{got.shape[0]} x {got.shape[1]})")
        return Finding("unwritten", f"{int(never.sum())} of {never.size} elements were never "
                       f"written, the first at [{first}]{rows}: no thread wrote them. Check "
                       "that the grid covers every element (which index comes from x, the "
                       "column, and which from y, the row) and that the guard lets every "
                       "element in.")
    shared = _payload(got, UNWRITTEN_SHARED) & np.isfinite(exp)
    if shared.any():
        return Finding("unwritten-shared", f"{int(shared.sum())} elements hold a value read "
                       "from shared memory that no thread had written: a tile or a partial "
                       "sum not loaded (or not yet: a missing barrier), or an index into the "
                       "shared array that is off.")
    return None


def _mistake(grader: "Grader", exercise: Exercise, case: Case, name: str, got: np.ndarray,
             exp: np.ndarray) -> Finding | None:
    """The lesson's diagnosis whose mutant writes the same wrong output on this case."""
    ids = {d.id for d in grader.lesson.diagnoses}
    mutants = [m for m in grader.lesson.usable_mutants()
               if m.exercise == exercise.name and m.diagnosis in ids]
    if not mutants or not grader.lesson.kernel_reference_path.is_file():
        return None
    runner = lesson_kernels(grader.lesson, grader.limits)
    index = exercise.params.index(name)
    for mutant in mutants:
        outcome = runner.launch(exercise, case, mutant.name)
        wrong = outcome.outputs.get(index) if outcome.ok else None
        if wrong is None or np.shape(wrong) != got.shape:
            continue
        with np.errstate(all="ignore"):
            if rel_error(wrong, exp) <= exercise.tolerance:
                continue  # this mistake does not show on this case
            if rel_error(got, wrong) > exercise.tolerance:
                continue
        known = grader.lesson.diagnosis(mutant.diagnosis)
        return Finding(mutant.diagnosis, known.message if known else mutant.diagnosis)
    return None


def _budget_check(grader: "Grader", exercise: Exercise, case: Case, report: Report,
                  reads: int | None, writes: int | None, launch: str,
                  with_map: bool) -> "Check":
    from .grader import Check

    most_r, most_w = int(report.reads.max(initial=0)), int(report.writes.max(initial=0))
    two_d = exercise.kernel is not None and len(exercise.kernel.block) > 1

    def who(counts: np.ndarray) -> str:
        r, c = (int(v) for v in np.unravel_index(int(counts.argmax()), counts.shape))
        return f"thread ({c}, {r}) of the grid" if two_d else f"thread {c} of block {r}"

    over = []
    if reads is not None and most_r > reads:
        over.append(f"{who(report.reads)} reads {most_r} elements of global memory; the "
                    f"budget is {reads}")
    if writes is not None and most_w > writes:
        over.append(f"{who(report.writes)} writes {most_w} elements of global memory; the "
                    f"budget is {writes}")
    measured = (f"at most {most_r} reads and {most_w} writes per thread (budget "
                f"{reads if reads is not None else '-'} and "
                f"{writes if writes is not None else '-'})")
    emap = None
    if with_map or over:
        reference = None
        if grader.lesson.kernel_reference_path.is_file():
            outcome = lesson_kernels(grader.lesson, grader.limits).launch(exercise, case)
            ref = Report.parse(outcome.value, *exercise.kernel.launch(  # type: ignore[union-attr]
                exercise.params, arguments(exercise, case)[0])) if outcome.ok else None
            reference = ref.reads if ref is not None else None
        emap = traffic_map(report.reads, reference, reads, launch)
    label = f"{case.label}: global memory"
    if over:
        return Check(label, "over-budget", "; ".join(over),
                     diagnosis="over-budget", diagnosis_message=(
                         "Each thread should read an element of global memory once and keep "
                         "it in a local variable, or share it with the block through shared "
                         "memory: global memory is hundreds of cycles away, and a kernel "
                         "that reads more than its budget is memory-bound for no reason."),
                     error_map=emap)
    return Check(label, "pass", measured, error_map=emap)


def _race_check(case: Case, report: Report) -> "Check":
    from .grader import Check

    label = f"{case.label}: shared memory"
    if not report.races and not report.barriers:
        return Check(label, "pass", "no hazards between barriers; every barrier reached by "
                     "every thread")
    message, diagnosis = race_message(report)
    return Check(label, "race", message, diagnosis=diagnosis,
                 diagnosis_message=RACE_DIAGNOSES[diagnosis])
