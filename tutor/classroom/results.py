"""A class's results: what each student's submission got, and the gradebook exporters read.

A :class:`StudentResult` holds verdicts only; points come from the assignment when the
gradebook is read, so changing points or visibility never needs grading again.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..grader import Check, ExerciseResult
from ..report import strict_json  # inf and nan as strings: strict JSON
from .assignment import Assignment, Item

GRADED, REFUSED, ERROR = "graded", "refused", "error"

# Verdicts that mean the code did not run to its end (JUnit's <error>, the summary's list).
BROKE = frozenset({"timeout", "crash", "killed", "exit", "memory-limit", "output-limit",
                   "protocol-error", "sandbox-error", "keyboard-interrupt", "input"})
# ... and those worth the instructor's attention in the summary
ALARMING = frozenset({"timeout", "crash", "killed", "exit", "memory-limit", "protocol-error",
                      "sandbox-error"})


@dataclass
class StudentResult:
    """One student's submission and its verdicts."""

    student: str
    submission: str  # the entry of SUBMISSIONS it came from
    status: str  # graded, refused (bad input), or error (tutor could not grade it)
    file: str = ""  # the graded file's name
    message: str = ""  # why it was refused or could not be graded
    exercises: list[ExerciseResult] = field(default_factory=list)
    seconds: float = 0.0
    jail: str = ""  # the jail it ran in: bwrap or none

    def result(self, name: str) -> ExerciseResult | None:
        return next((r for r in self.exercises if r.exercise.split(".", 1)[-1] == name), None)

    def to_json(self) -> dict[str, Any]:
        return strict_json({
            "student": self.student, "submission": self.submission, "status": self.status,
            "file": self.file, "message": self.message, "seconds": self.seconds,
            "jail": self.jail, "exercises": [r.to_json() for r in self.exercises]})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StudentResult":
        return cls(student=data["student"], submission=data["submission"],
                   status=data["status"], file=data.get("file", ""),
                   message=data.get("message", ""), seconds=float(data.get("seconds", 0)),
                   jail=data.get("jail", ""),
                   exercises=[_exercise(e) for e in data.get("exercises", [])])


def _exercise(data: dict[str, Any]) -> ExerciseResult:
    fields = {k: v for k, v in data.items() if k not in ("passed", "checks")}
    checks = []
    for raw in data.get("checks", []):
        check = {k: v for k, v in raw.items() if k != "passed"}
        if isinstance(check.get("rel_error"), str):
            check["rel_error"] = float(check["rel_error"])
        checks.append(Check(**check))
    return ExerciseResult(**fields, checks=checks)


@dataclass
class Gradebook:
    """Every student's result under one assignment: what exporters are given."""

    assignment: Assignment
    title: str  # the lesson's title
    students: list[StudentResult]
    jail: str  # the --jail mode asked for
    version: str = __version__
    diagnoses: dict[str, str] = field(default_factory=dict)  # the lesson's: id -> message

    def items(self) -> tuple[Item, ...]:
        return self.assignment.items

    def points(self, student: StudentResult, item: Item) -> float:
        """The points a student earns for one exercise: all of them when it passes."""
        if student.status != GRADED:
            return 0.0
        result = student.result(item.name)
        return item.points if result is not None and result.passed else 0.0

    def score(self, student: StudentResult) -> float:
        return sum(self.points(student, item) for item in self.items())

    @property
    def max_score(self) -> float:
        return self.assignment.max_score

    def jail_of(self, student: StudentResult) -> str:
        """The jail a student's code ran in (bwrap or none), or that it did not run."""
        return student.jail or f"not run (--jail {self.jail})"

    def rows(self) -> Iterator[tuple[StudentResult, float]]:
        for student in self.students:
            yield student, self.score(student)


def verdict(student: StudentResult, item: Item) -> str:
    """The verdict of one exercise as the gradebook shows it."""
    if student.status != GRADED:
        return student.status
    result = student.result(item.name)
    return result.verdict if result is not None else "not-graded"


def feedback(student: StudentResult, item: Item, failing_checks: int = 5) -> str:
    """What a student reads about one exercise: the verdict, what failed and why, the
    diagnosis, their own traceback and what their code printed. Plain text."""
    if student.status != GRADED:
        return f"not graded: {student.message}"
    result = student.result(item.name)
    if result is None:
        return "not graded"
    if result.passed:
        return f"pass: {result.message}"
    failing = [c for c in result.checks if not c.passed and c.verdict != "skipped"]
    skipped = [c for c in result.checks if c.verdict == "skipped"]
    lines = [f"{result.verdict}: {result.message.split('; first: ')[0]}"]
    for check in failing[:failing_checks]:
        line = f"  x {check.name}: {check.verdict}"
        if check.message:
            line += f": {check.message}"
        lines.append(line)
        if check.diagnosis_message:
            lines.append(f"    -> {check.diagnosis_message}")
    if len(failing) > failing_checks:
        lines.append(f"  ... {len(failing) - failing_checks} more")
    lines += [f"  ({c.name} {c.message})" for c in skipped]
    if result.consistency:
        lines.append(result.consistency)
    if result.traceback:
        lines.append(result.traceback)
    if result.printed:
        printed = result.printed.rstrip()
        lines.append("your code printed: " + (printed[:400] + " ..." if len(printed) > 400
                                               else printed))
    return "\n".join(lines)


def first_failure(result: ExerciseResult) -> Check | None:
    return next((c for c in result.checks if not c.passed and c.verdict != "skipped"), None)


def jail_note(jail: str) -> str:
    """How code was run, for every output: in the jail, or without it."""
    return {"bwrap": "graded in the jail (bwrap)",
            "none": "graded WITHOUT the jail (--jail none)"}.get(jail, f"jail: {jail}")
