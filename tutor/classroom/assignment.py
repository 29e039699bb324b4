"""The assignment file: which exercises are graded, for how many points, who sees what, the
secret seed and the time limit.

```toml
format = 1
lesson = "backprop"
seed = "a phrase only the course staff knows"
time_limit = 10            # seconds per exercise

[[exercises]]
name = "affine_backward"
points = 2
visibility = "visible"     # or hidden, after_due_date, after_published (Gradescope's)
```
"""

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from ..lesson import Exercise, Lesson
from ..schema import CatalogError, Fields, TomlFile

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_TIME_LIMIT = 10.0


@dataclass(frozen=True)
class Item:
    """One graded exercise of the assignment."""

    exercise: Exercise
    points: float = 1.0
    visibility: str = "visible"

    @property
    def name(self) -> str:
        return self.exercise.name


@dataclass(frozen=True)
class Assignment:
    lesson: str
    items: tuple[Item, ...]
    title: str = ""
    seed: str | None = None  # the secret; never written into anything a student sees
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds per exercise
    submission_time_limit: float | None = None  # seconds for the whole submission
    path: Path | None = None

    @classmethod
    def default(cls, lesson: Lesson) -> "Assignment":
        """Every exercise of the lesson, 1 point each, visible, the public cases."""
        return cls(lesson.id, tuple(Item(e) for e in lesson.exercises))

    @classmethod
    def load(cls, path: Path, lesson: Lesson) -> "Assignment":
        """Read an assignment file; CatalogError (naming file and line) if it is wrong."""
        toml = TomlFile(Path(path))
        top = Fields(toml, toml.data, "")
        top.unknown({"format", "lesson", "title", "seed", "time_limit",
                     "submission_time_limit", "exercises"})
        lesson_id = top.get("lesson", str, lesson.id)
        if lesson_id != lesson.id:
            raise top.error("lesson", f"this assignment is for lesson {lesson_id!r}, not "
                            f"{lesson.id!r}")
        seed = top.get("seed", str, None)
        if seed is not None and not seed.strip():
            raise top.error("seed", "'seed' must not be empty (leave it out to grade on the "
                            "public cases)")
        time_limit = top.number("time_limit", DEFAULT_TIME_LIMIT, 0.1, 3600)
        total = (top.number("submission_time_limit", 0, 0.1, 86400)
                 if "submission_time_limit" in toml.data else None)
        tables = top.tables("exercises")
        if "exercises" in toml.data and not tables:
            raise top.error("exercises", "'exercises' names no exercise")
        items = [_item(toml, lesson, table, i) for i, table in enumerate(tables)]
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise Fields(toml, {}, "", ("exercises", i)).error(
                    "name", f"exercise {item.name!r} is listed twice")
            seen.add(item.name)
        return cls(lesson.id, tuple(items) or cls.default(lesson).items,
                   title=top.get("title", str, ""), seed=seed, time_limit=time_limit,
                   submission_time_limit=total, path=Path(path))

    def with_seed(self, seed: str | None) -> "Assignment":
        from dataclasses import replace

        return self if seed is None else replace(self, seed=seed)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items)

    def seed_number(self) -> int:
        """The grader's seed drawn from the secret (0, the public cases, without one)."""
        if self.seed is None:
            return 0
        digest = hashlib.sha256(b"tutor grade seed\0" + self.seed.encode()).digest()
        return int.from_bytes(digest[:8], "big") | 1  # never 0, the public seed

    def grading_key(self) -> str:
        """What changes a verdict (not points or visibility): part of each result's key."""
        parts = [self.lesson, *(i.name for i in self.items), str(self.seed_number()),
                 repr(self.time_limit), repr(self.submission_time_limit)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _item(toml: TomlFile, lesson: Lesson, table: dict, i: int) -> Item:
    f = Fields(toml, table, f"exercise {i + 1}: ", ("exercises", i))
    f.unknown({"name", "points", "visibility"})
    name = f.get("name", str)
    if name.startswith(f"{lesson.id}."):
        name = name[len(lesson.id) + 1:]
    try:
        exercise = lesson.exercise(name)
    except KeyError:
        known = ", ".join(e.name for e in lesson.exercises)
        raise f.error("name", f"lesson {lesson.id!r} has no exercise {name!r} (it has: "
                      f"{known})") from None
    points = f.get("points", (int, float), 1)
    if not math.isfinite(points) or points < 0:
        raise f.error("points", f"'points' must be 0 or more, not {points!r}")
    visibility = f.get("visibility", str, "visible")
    if visibility not in VISIBILITIES:
        raise f.error("visibility", f"'visibility' must be one of {', '.join(VISIBILITIES)}, "
                      f"not {visibility!r}")
    return Item(exercise, float(points), visibility)


__all__ = ["Assignment", "CatalogError", "Item", "VISIBILITIES"]
