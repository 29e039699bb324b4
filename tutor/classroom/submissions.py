"""Finding each student's graded file in a folder of submissions, and refusing bad input.

SUBMISSIONS holds one entry per student: a folder with ``LESSON.py`` (or exactly one ``.py``
file), a single file ``STUDENT.py``, or a ``.zip`` of either; or Gradescope's "export
submissions" layout (``submission_metadata.yml`` beside one folder per submission). Nothing
is extracted: the graded file is read into memory (a zip member through a capped reader),
so no entry name can write anything anywhere, and symbolic links are never followed outside
the submission they are in. Every problem becomes a one-line reason on that submission.
"""

import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..sandbox.wire import clean_text
from .gradescope_metadata import read_submitters

MAX_FILE_BYTES = 1 << 20  # a graded .py file
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_BYTES = 256 << 20  # what a zip may declare, all members together
METADATA = "submission_metadata.yml"
_SKIPPED_DIRS = {"__MACOSX", "__pycache__"}


@dataclass
class Submission:
    """One student's entry: the graded file's name and text, or why it cannot be graded."""

    student: str
    entry: str  # where it came from, relative to SUBMISSIONS
    filename: str = ""  # the graded file's name, e.g. backprop.py
    source: bytes = field(default=b"", repr=False)
    problem: str = ""  # a one-line reason it was refused; "" when it can be graded

    @property
    def refused(self) -> bool:
        return bool(self.problem)


class Refused(Exception):
    """A submission that cannot be graded, with the one-line reason."""


def discover(root: Path, lesson_id: str, exclude: Iterable[Path] = ()) -> list[Submission]:
    """Every submission in ``root``, sorted by student id (refused ones included)."""
    root = root.resolve()
    skip = {Path(p).resolve() for p in exclude}
    nested = _gradescope_folder(root)
    if nested is not None:
        root = nested
    names: dict[str, list[str]] = {}
    if (root / METADATA).is_file():
        names = read_submitters(root / METADATA)
    found: list[Submission] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name in _SKIPPED_DIRS or path.name == METADATA:
            continue
        if path.resolve() in skip or any(s.is_relative_to(path.resolve()) for s in skip
                                         if path.is_dir() and not path.is_symlink()):
            continue
        entry = clean_text(path.name)  # names are shown: no terminal escapes in them
        ids = names.get(path.name) or [path.name if path.is_dir() else path.stem]
        try:
            filename, source = _read_entry(root, path, lesson_id)
            found += [Submission(safe_id(s), entry, safe_id(filename), source) for s in ids]
        except Refused as e:
            found += [Submission(safe_id(s), entry, problem=clean_text(str(e))) for s in ids]
    return _one_per_student(found)


def safe_id(text: str) -> str:
    """A student id usable as a file name: letters, digits and ``._@+-``, never hidden."""
    text = re.sub(r"[^\w.@+-]", "_", text.strip())[:120]
    return "_" + text[1:] if text.startswith(".") else text or "_"


def _one_per_student(found: list[Submission]) -> list[Submission]:
    """Two entries for the same student (alice.py and alice.zip) are both refused: which
    one counts is the instructor's call, not tutor's."""
    groups: dict[str, list[Submission]] = {}
    for sub in found:
        groups.setdefault(sub.student.casefold(), []).append(sub)
    out = []
    for subs in groups.values():
        entries = sorted({s.entry for s in subs})
        if len(entries) > 1:
            out.append(Submission(subs[0].student, ", ".join(entries), problem=(
                f"{len(entries)} submissions for student {subs[0].student!r} "
                f"({', '.join(entries)}): keep one")))
        else:
            out.append(subs[0])
    return sorted(out, key=lambda s: s.student.casefold())


def _gradescope_folder(root: Path) -> Path | None:
    """Gradescope's download unzips to one folder that holds the metadata: accept its
    parent too."""
    if (root / METADATA).exists():
        return None
    entries = [p for p in root.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink() \
            and (entries[0] / METADATA).is_file():
        return entries[0]
    return None


# -- one entry ------------------------------------------------------------------------------

def _read_entry(root: Path, path: Path, lesson_id: str) -> tuple[str, bytes]:
    """(graded file name, its bytes) of one entry; Refused with the reason."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root) or target == root:
            raise Refused(f"{path.name} is a symbolic link to outside the submissions "
                          "folder (not followed)")
        path = target
    if path.is_dir():
        return _from_folder(path, lesson_id)
    if not path.is_file():
        raise Refused(f"{path.name} is not a file or a folder")
    if path.suffix.lower() == ".zip":
        return _from_zip(path, lesson_id)
    if path.suffix == ".py":
        return path.name, _checked(path.name, _read_capped(path))
    raise Refused(f"{path.name} is not a .py file, a folder or a .zip")


def _choose(names: list[str], lesson_id: str, where: str) -> str:
    """The graded file among the .py files of a submission (relative paths)."""
    wanted = [n for n in names if PurePosixPath(n).name == f"{lesson_id}.py"]
    if len(wanted) == 1:
        return wanted[0]
    if len(wanted) > 1:
        raise Refused(f"{where} has {len(wanted)} files named {lesson_id}.py "
                      f"({', '.join(sorted(wanted)[:4])}): keep one")
    if len(names) == 1:
        return names[0]
    if not names:
        raise Refused(f"{where} has no .py file")
    shown = ", ".join(sorted(names)[:4]) + (", ..." if len(names) > 4 else "")
    raise Refused(f"{where} has {len(names)} .py files ({shown}) and none is named "
                  f"{lesson_id}.py: submit one file, or name the graded one {lesson_id}.py")


def _from_folder(folder: Path, lesson_id: str) -> tuple[str, bytes]:
    names = []
    for rel in _py_files(folder):
        names.append(rel)
        if len(names) > 1000:
            raise Refused(f"{folder.name} holds more than 1000 .py files")
    chosen = _choose(names, lesson_id, folder.name)
    path = folder / chosen
    real = path.resolve()
    if (path.is_symlink() or real != path.absolute()) \
            and not real.is_relative_to(folder.resolve()):
        raise Refused(f"{folder.name}/{chosen} is a symbolic link to outside the "
                          "submission (not followed)")
    if not real.is_file():
        raise Refused(f"{folder.name}/{chosen} is not a regular file")
    return PurePosixPath(chosen).name, _checked(f"{folder.name}/{chosen}", _read_capped(real))


def _py_files(folder: Path) -> Iterator[str]:
    """Relative paths of the .py files under ``folder`` (symlinked folders not entered)."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        rel = Path(top).relative_to(folder)
        if len(rel.parts) > 8:
            dirs[:] = []
        for name in sorted(files):
            if name.endswith(".py") and not name.startswith("."):
                yield (rel / name).as_posix()


def _read_capped(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise Refused(f"{path.name} cannot be read: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MB")
    return data


def _checked(name: str, data: bytes) -> bytes:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                      f"{e.start}): save it as UTF-8") from None
    return data


def _from_zip(path: Path, lesson_id: str) -> tuple[str, bytes]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise Refused(f"{path.name} holds {len(infos):,} entries (at most "
                              f"{MAX_ZIP_ENTRIES:,})")
            for info in infos:
                _check_member(path.name, info)
            declared = sum(i.file_size for i in infos)
            if declared > MAX_ZIP_BYTES:
                raise Refused(f"{path.name} declares {declared >> 20:,} MB uncompressed (a zip "
                              "bomb?)")
            names = [i.filename for i in infos if _zip_py(i)]
            chosen = _choose(names, lesson_id, path.name)
            info = zf.getinfo(chosen)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise Refused(f"{path.name}: {chosen} is a symbolic link (not followed)")
            if info.flag_bits & 0x1:
                raise Refused(f"{path.name} is encrypted")
            if info.file_size > MAX_FILE_BYTES:
                raise Refused(f"{path.name}: {chosen} is larger than {MAX_FILE_BYTES >> 20} MB")
            with zf.open(info) as member:
                data = member.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise Refused(f"{path.name}: {chosen} unpacks to more than it declares (a zip "
                              "bomb?)")
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as e:
        raise Refused(f"{path.name} is not a readable zip file ({type(e).__name__}: "
                      f"{str(e)[:100]})") from None
    except Exception as e:  # zlib.error and other decompressor failures
        raise Refused(f"{path.name} could not be unpacked ({type(e).__name__})") from None
    return PurePosixPath(chosen).name, _checked(f"{path.name}: {chosen}", data)


def _check_member(zip_name: str, info: zipfile.ZipInfo) -> None:
    """Refuse a zip whose entry names point anywhere but inside it."""
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts
            or "\0" in name):
        raise Refused(f"{zip_name} holds an entry with an unsafe path ({name[:80]!r}: "
                      "absolute, or leading out with ..)")


def _zip_py(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return (not info.is_dir() and info.filename.endswith(".py")
            and not any(p.startswith(".") or p in _SKIPPED_DIRS for p in parts))


__all__ = ["Refused", "Submission", "discover", "safe_id"]
