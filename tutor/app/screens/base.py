"""What every screen about one lesson shares: the lesson, and the time spent on it."""

import contextlib
import sqlite3
import time
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from ...lesson import Lesson
from ...progress import TIME

if TYPE_CHECKING:
    from ..app import TutorApp

IDLE = 120.0  # seconds: a longer pause counts as this long (the learner left the terminal)


class LessonScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, lesson: Lesson):
        super().__init__()
        self.lesson = lesson
        self._active = 0.0
        self._last = time.monotonic()

    @property
    def tutor(self) -> "TutorApp":
        return self.app  # type: ignore[return-value]

    def action_back(self) -> None:
        self.dismiss()

    # Time spent: counted from one key press or click to the next, idle pauses capped.
    def _tick(self) -> None:
        now = time.monotonic()
        self._active += min(now - self._last, IDLE)
        self._last = now

    def on_key(self, event: events.Key) -> None:
        self._tick()

    def on_click(self, event: events.Click) -> None:
        self._tick()

    def on_screen_resume(self) -> None:
        self._last = time.monotonic()

    def on_screen_suspend(self) -> None:
        self._tick()
        self.save_time()

    def on_unmount(self) -> None:
        self.save_time()

    def save_time(self) -> None:
        store = self.tutor.store
        if store is not None and self._active >= 1.0:
            seconds, self._active = round(self._active, 1), 0.0
            with contextlib.suppress(sqlite3.Error):  # the app is closing its store
                store.record_event(TIME, self.lesson.id, {"seconds": seconds,
                                                          "screen": type(self).__name__})
