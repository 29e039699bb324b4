"""Messages the app's workers and widgets send: one place to see what flows where."""

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class Graded(Message):
    """A grade finished: results for the exercises graded (one, or the whole lesson)."""

    results: list[Any]


@dataclass
class GradeFailed(Message):
    """Grading could not run at all (a broken lesson, say): the reason, for the learner."""

    reason: str


@dataclass
class FileChanged(Message):
    """The learner's file changed on disk (saved from their own editor)."""

    text: str


@dataclass
class Frame(Message):
    """A new picture from the running experiment."""

    renderable: Any


@dataclass
class ExperimentEnded(Message):
    """The experiment finished or stopped: why, when it stopped early."""

    error: str = ""
    frames: int = 0
