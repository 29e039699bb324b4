"""A workspace: the learner's folder of solution files, with its progress in ``.tutor/``."""

import contextlib
import os
import tempfile
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


def file_signature(path: Path) -> tuple[int, int] | None:
    """(mtime in ns, size) of a file, None if it is not there: tells a change on disk."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def write_learner_file(path: Path, text: str) -> None:
    """Save a learner's file: to a temporary file renamed over it (a crash mid-write never
    leaves half a file), or in place where the folder is not writable. A read-only file is
    refused (PermissionError): its owner made it so."""
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"{path.name} is read-only")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except PermissionError:  # a read-only folder, a writable file: write it in place
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
