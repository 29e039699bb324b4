"""A workspace: the learner's folder of solution files, with its progress in ``.tutor/``."""

from dataclasses import dataclass
from pathlib import Path

from .lesson import Lesson
from .store import Store

MARKER = ".tutor"


@dataclass
class Workspace:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Workspace | None":
        """The workspace containing ``start`` (default: the current directory), if any."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / MARKER).is_dir():
                return cls(folder)
        return None

    @classmethod
    def create(cls, root: Path) -> "Workspace":
        (root / MARKER).mkdir(parents=True, exist_ok=True)
        ws = cls(root.resolve())
        ws.store().close()
        return ws

    @property
    def db_path(self) -> Path:
        return self.root / MARKER / "progress.db"

    def store(self) -> Store:
        return Store(self.db_path)

    def solution_path(self, lesson: Lesson) -> Path:
        return self.root / f"{lesson.id}.py"

    def add_stub(self, lesson: Lesson) -> bool | None:
        """Copy the lesson's stub into the workspace unless a file is already there.

        Never overwrites: the learner's file is theirs. Returns whether a file was written
        (None when the lesson has no exercises to write).
        """
        target = self.solution_path(lesson)
        if not lesson.exercises or not lesson.stub_path.is_file():
            return None
        stub = lesson.stub_path.read_text(encoding="utf-8")
        try:
            with open(target, "x", encoding="utf-8") as f:  # "x": fail if it exists
                f.write(stub)
        except FileExistsError:
            return False
        return True
