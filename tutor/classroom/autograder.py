"""The Gradescope autograder zip: ``setup.sh``, ``run_autograder``, the assignment, and the
wheels of tutor and of the lesson's package, with every dependency's version pinned.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build its
image, then runs ``run_autograder`` in a fresh container for each submission, which must
write ``/autograder/results/results.json``. Both scripts take the root from
``AUTOGRADER_ROOT`` (default ``/autograder``), so the whole cycle can be tried anywhere.
"""

import re
import shlex
import tempfile
import zipfile
from pathlib import Path

from .. import __version__
from ..lesson import Lesson
from .assignment import Assignment
from .wheels import WheelError, distribution_of, normalize, pins, wheel

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image: a virtual environment
# with tutor {version} and the lesson {lesson}, from the wheels beside this script, with
# every dependency at the version in constraints.txt.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"

python_ok() {{ "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }}
PYTHON=""
for candidate in ${{AUTOGRADER_PYTHON:-}} python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ] && command -v apt-get >/dev/null 2>&1; then
    # Ubuntu 22.04's python3 is 3.10: tutor needs 3.11 or newer.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
    PYTHON=python3.11
fi
if [ -z "$PYTHON" ]; then
    echo "setup.sh: tutor needs Python 3.11 or newer, and none was found" >&2
    exit 1
fi

"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \\
    --constraint "$SOURCE/constraints.txt" {wheels}
"$ROOT/venv/bin/tutor" --version
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: grade $ROOT/submission with `tutor grade` and
# write $ROOT/results/results.json, whatever happens.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/results" "$WORK/class"
cp -R "$ROOT/submission" "$WORK/class/submission"

"$ROOT/venv/bin/tutor" grade "$WORK/class" --lesson {lesson} \\
    --assignment "$SOURCE/assignment.toml" --out "$WORK/grades" --jobs 1 --jail auto
status=$?

if [ -f "$WORK/grades/results/submission.json" ]; then
    cp "$WORK/grades/results/submission.json" "$ROOT/results/results.json"
else
    cat > "$ROOT/results/results.json" <<'JSON'
{{"score": 0, "execution_time": 0, "tests": [],
 "output": "The autograder could not grade this submission: tutor stopped with an error."}}
JSON
fi
exit 0  # the score is in results.json; tutor's own status ($status) is in the stdout log
"""


class ExportError(Exception):
    """The autograder cannot be built from this installation."""


def build(lesson: Lesson, assignment: Assignment, dest: Path) -> Path:
    """Write the autograder zip for ``lesson`` graded by ``assignment`` to ``dest``."""
    packages = _distributions(lesson)
    with tempfile.TemporaryDirectory(prefix="tutor-autograder-") as tmp:
        folder = Path(tmp)
        wheels = []
        for dist in packages:
            try:
                wheels.append(wheel(dist, folder))
            except (WheelError, OSError) as e:
                raise ExportError(str(e)) from None
        exclude = {normalize(d.metadata["Name"]) for d in packages}
        if not all(re.fullmatch(r"[\w.+-]+\.whl", w.name) for w in wheels):
            raise ExportError(f"unexpected wheel names: {[w.name for w in wheels]}")
        names = " ".join(f'"$SOURCE/wheels/{w.name}"' for w in wheels)
        files: dict[str, tuple[bytes, int]] = {
            "setup.sh": (SETUP.format(version=__version__, lesson=lesson.id,
                                      wheels=names).encode(), 0o755),
            "run_autograder": (RUN.format(lesson=shlex.quote(lesson.id)).encode(), 0o755),
            "assignment.toml": (_assignment_text(lesson, assignment), 0o644),
            "constraints.txt": (("\n".join(pins(exclude)) + "\n").encode(), 0o644),
        }
        files.update({f"wheels/{w.name}": (w.read_bytes(), 0o644) for w in wheels})
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, (data, mode) in files.items():
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        partial.replace(dest)
    return dest


def _distributions(lesson: Lesson) -> list:
    import importlib.metadata as md

    try:
        tutor = md.distribution("tutor")
    except md.PackageNotFoundError:
        raise ExportError("tutor is not installed as a package here (pip install it)") from None
    found = distribution_of(lesson.folder)
    if found is None:
        raise ExportError(f"lesson {lesson.id!r} is loaded from {lesson.folder}, not from an "
                          "installed package: package it (docs/writing-lessons.md) and install "
                          "it, then export again")
    same = normalize(found.metadata["Name"]) == normalize(tutor.metadata["Name"])
    return [tutor] if same else [tutor, found]


def _assignment_text(lesson: Lesson, assignment: Assignment) -> bytes:
    """The assignment file as given (comments and all), or the default one."""
    if assignment.path is not None:
        return assignment.path.read_bytes()
    return (f'# Every exercise of {lesson.id}, 1 point each, visible, on the public cases.\n'
            f'format = 1\nlesson = "{lesson.id}"\n').encode()
