"""What a learner has done in each lesson, and the next thing to do.

Read by `tutor progress` and by the app's lesson map; attempts are recorded here too, so a
file graded from the command line and one graded in the app land in the same place.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .schema import LessonError
from .store import Store

if TYPE_CHECKING:
    from .grader import ExerciseResult
    from .lesson import Lesson

# Event kinds in the store's events table (subject: the lesson id).
PAGE = "page"  # where the reader is: {"page": index, "scroll": lines, "read": reached its end}
TIME = "time"  # time spent on a screen of the lesson: {"seconds": s, "screen": name}
OPEN = "exercise"  # the exercise open in the app: {"exercise": function name}


@dataclass(frozen=True)
class Step:
    """The next thing to do in a lesson: read a page, take the quiz, or write an exercise."""

    lesson: str
    kind: str  # "read", "quiz", "exercise" or "done"
    index: int  # page index, or exercise index; 0 for the quiz
    label: str


@dataclass(frozen=True)
class LessonProgress:
    lesson: str
    title: str
    pages_read: int
    pages: int
    quiz_right: int
    quiz_total: int | None  # None: the quiz catalog is broken
    passed: int
    exercises: int
    attempts: int
    hints: int
    seconds: float
    next: Step

    @property
    def done(self) -> bool:
        return self.next.kind == "done"


def lesson_progress(lesson: "Lesson", store: Store | None) -> LessonProgress:
    """One lesson's progress; an empty one without a store."""
    statuses = [store.exercise_status(e.id) for e in lesson.exercises] if store else []
    answers = store.quiz_score(lesson.id) if store else {}
    seen = {e.get("page") for e in store.events(PAGE, lesson.id) if e.get("read")} \
        if store else set()
    pages_read = len(seen & set(range(len(lesson.pages))))
    try:
        questions = [q.id for q in lesson.quiz.questions]
        quiz_total: int | None = len(questions)
    except LessonError:
        questions, quiz_total = [], None
    seconds = sum(float(e.get("seconds", 0) or 0) for e in store.events(TIME, lesson.id)) \
        if store else 0.0
    passed = [s.passed for s in statuses] or [False] * len(lesson.exercises)
    return LessonProgress(
        lesson=lesson.id, title=lesson.title, pages_read=pages_read, pages=len(lesson.pages),
        quiz_right=sum(answers.get(q, False) for q in questions), quiz_total=quiz_total,
        passed=sum(passed), exercises=len(lesson.exercises),
        attempts=sum(s.attempts for s in statuses), hints=sum(s.hints for s in statuses),
        seconds=seconds, next=_next_step(lesson, seen, answers, questions, passed))


def _next_step(lesson: "Lesson", seen: set[object], answers: dict[str, bool],
               questions: Sequence[str], passed: Sequence[bool]) -> Step:
    """Read every page, then answer the quiz, then write the code: the first not done."""
    for i, page in enumerate(lesson.pages):
        if i not in seen:
            return Step(lesson.id, "read", i, f"read page {i + 1} of {len(lesson.pages)}: "
                        f"{page_title(page)}")
    wrong = [q for q in questions if not answers.get(q, False)]
    if wrong:
        return Step(lesson.id, "quiz", 0, f"quiz: {len(wrong)} of {len(questions)} "
                    "questions to answer right")
    for i, (exercise, ok) in enumerate(zip(lesson.exercises, passed, strict=True)):
        if not ok:
            return Step(lesson.id, "exercise", i, f"write {exercise.name}")
    return Step(lesson.id, "done", 0, "done")


def page_title(path: Path) -> str:
    """A page's first Markdown heading, else its file name."""
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    except (OSError, UnicodeDecodeError):
        pass
    return path.stem


def in_progress(lessons: Iterable["Lesson"], store: Store | None) -> Step | None:
    """The exercise the learner last had open, when nothing was read since and it does not
    pass yet: where "continue" goes back to."""
    latest = store.latest_event((OPEN, PAGE)) if store else None
    if store is None or latest is None or latest[0] != OPEN:
        return None
    _, lesson_id, data = latest
    lesson = next((lesson for lesson in lessons if lesson.id == lesson_id), None)
    names = [e.name for e in lesson.exercises] if lesson else []
    if lesson is None or data.get("exercise") not in names:
        return None
    index = names.index(str(data["exercise"]))
    status = store.exercise_status(lesson.exercises[index].id)
    if status.passed:
        return None
    what = f" ({status.last_verdict})" if status.last_verdict else ""
    return Step(lesson.id, "exercise", index, f"back to {names[index]}{what}")


def continue_target(rows: Iterable[LessonProgress],
                    requires: dict[str, Sequence[str]],
                    working: Step | None = None) -> Step | None:
    """The exercise in progress (``working``), if any; else the next step of the first
    unfinished lesson whose prerequisites are done (in order); the first unfinished lesson
    when none is ready; None when everything is done."""
    if working is not None:
        return working
    rows = list(rows)
    done = {r.lesson for r in rows if r.done}
    unfinished = [r for r in rows if not r.done]
    for row in unfinished:
        if all(req in done for req in requires.get(row.lesson, ())):
            return row.next
    return unfinished[0].next if unfinished else None


def record_results(store: Store, file: Path | str, results: Iterable["ExerciseResult"],
                   other_file: bool = False) -> None:
    """Record one attempt per graded exercise, except for a function that still raises
    NotImplementedError (the stub, untouched: nothing was attempted). ``other_file``: the
    grade was of a file other than the workspace's own (``tutor check --file``)."""
    for r in results:
        if r.verdict == "not-implemented" and (other_file or store.exercise_status(
                r.exercise).last_verdict in (None, "not-implemented")):
            continue
        store.record_attempt(r.exercise, r.verdict, sum(c.passed for c in r.checks),
                             len(r.checks), r.seconds, str(file), other_file=other_file)


def duration(seconds: float) -> str:
    """How long, to the minute: 3 min, 1 h 05 min."""
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
