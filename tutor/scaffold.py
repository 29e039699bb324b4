"""``tutor dev new``: a complete, installable lesson package to start a lesson from.

The files come from ``templates/lesson`` in this package: ``PACKAGE`` in a path becomes the
package's name, ``NAME.tmpl`` becomes ``NAME`` (``gitignore.tmpl`` becomes ``.gitignore``),
and ``{{id}}``, ``{{title}}``, ``{{package}}`` and ``{{dist}}`` are filled in.
"""

import keyword
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldError(Exception):
    """The package cannot be created (a bad id, a folder already in use)."""


@dataclass(frozen=True)
class Names:
    id: str  # the lesson id: l2reg
    package: str  # the importable package: tutor_l2reg
    dist: str  # the distribution pip installs: tutor-l2reg
    title: str  # a first title, for the author to change: L2reg

    @classmethod
    def for_lesson(cls, lesson_id: str) -> "Names":
        if not ID_PATTERN.fullmatch(lesson_id) or keyword.iskeyword(lesson_id):
            raise ScaffoldError(
                f"{lesson_id!r} cannot be a lesson id: use lowercase letters, digits and _, "
                "starting with a letter (it names the exercises, e.g. l2reg.l2_loss)")
        return cls(lesson_id, f"tutor_{lesson_id}", f"tutor-{lesson_id.replace('_', '-')}",
                   lesson_id.replace("_", " ").capitalize())


def default_directory(names: Names) -> Path:
    return Path(names.dist)


def create(names: Names, directory: Path) -> list[Path]:
    """Write the package into ``directory`` (new or empty); returns the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ScaffoldError(f"{directory} already exists and is not an empty folder: "
                            "name a new one (nothing was written)")
    files = list(_templates(resources.files("tutor") / "templates" / "lesson", Path()))
    written = []
    directory.mkdir(parents=True, exist_ok=True)
    for template, relative in files:
        target = directory / Path(*(names.package if part == "PACKAGE" else part
                                    for part in relative.parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(encoding="utf-8"), names), encoding="utf-8")
        written.append(target)
    return written


def render(text: str, names: Names) -> str:
    for key in ("id", "title", "package", "dist"):
        text = text.replace("{{" + key + "}}", getattr(names, key))
    return text


def _templates(folder: Traversable, relative: Path):
    """(template, output path relative to the package root) for every file, sorted."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _templates(entry, relative / entry.name)
        elif entry.name.endswith(".tmpl"):
            name = entry.name.removesuffix(".tmpl")
            yield entry, relative / ("." + name if name == "gitignore" else name)
