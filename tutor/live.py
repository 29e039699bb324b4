"""Grading a file each time it is saved, fast: a sandbox process is kept spawned and waiting
(Python started, NumPy imported), so a save costs only loading the file and running cases.

Each grade gets a fresh process (the learner's module state never leaks from one save to the
next); the next one is spawned as soon as a grade finishes, while the learner types.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .grader import ExerciseResult, Grader
from .kernel_grader import lesson_kernels, sandbox_for
from .lesson import Exercise, Lesson
from .sandbox.supervisor import Limits, Sandbox


@dataclass
class _Run:
    sandbox: Sandbox
    cancelled: threading.Event = field(default_factory=threading.Event)


class LiveGrader:
    """Grades one lesson's file on demand; safe to call from worker threads."""

    def __init__(self, lesson: Lesson, path: Path, limits: Limits | None = None):
        self.lesson, self.path = lesson, Path(path)
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._spare: Sandbox | None = None
        self._run: _Run | None = None
        self._closed = False

    def warm(self) -> None:
        """Spawn the waiting process now (a no-op when one is ready)."""
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = sandbox_for(self.lesson, self.path, self.limits,
                                          hide=(self.lesson.folder,))
                self._spare.spawn()
                if self.lesson.has_kernels and self.lesson.kernel_reference_path.is_file():
                    lesson_kernels(self.lesson, self.limits).start()  # its own kernels too

    def grade(self, exercises: Sequence[Exercise] | None = None) -> list[ExerciseResult]:
        """Grade the file as it is on disk now. A grade still running is cancelled first:
        its process is killed, so it ends at once (with partial results nobody should read)."""
        self.cancel()
        with self._lock:
            if self._closed:
                return []
            sandbox, self._spare = (self._spare
                                    or sandbox_for(self.lesson, self.path, self.limits)), None
            run = self._run = _Run(sandbox)
        grader = Grader(self.lesson, self.path, self.limits, sandbox=sandbox)
        results = []
        try:
            sandbox.start()
            for exercise in exercises or self.lesson.exercises:
                if run.cancelled.is_set():
                    break
                results.append(grader.grade_exercise(exercise))
        finally:
            sandbox.close()
            with self._lock:
                if self._run is run:
                    self._run = None
            self.warm()
        return results

    def cancel(self) -> None:
        """Stop the grade in progress, if any."""
        with self._lock:
            run = self._run
        if run is not None:
            run.cancelled.set()
            run.sandbox.interrupt()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        self.cancel()
        if spare is not None:
            spare.close()
