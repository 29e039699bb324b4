import os
import textwrap
from pathlib import Path

import pytest

from tutor.grader import Grader
from tutor.plugins import LESSONS_PATH_ENV, NO_AUTOLOAD_ENV, load_registry
from tutor.sandbox.supervisor import Limits

REPO = Path(__file__).resolve().parents[1]
_SAVED_ENV: dict[str, str | None] = {}


def pytest_configure(config):
    """The project's tests see the built-in lessons only, whatever lesson packages are
    installed beside tutor or named by TUTOR_LESSONS_PATH: set before collection (some
    test modules build a registry at import) and inherited by every `tutor` subprocess.
    A test about installed packages runs its subprocesses with ``plugin_env()``."""
    for key, value in ((NO_AUTOLOAD_ENV, "1"), (LESSONS_PATH_ENV, None)):
        _SAVED_ENV[key] = os.environ.get(key)
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def pytest_unconfigure(config):
    for key, value in _SAVED_ENV.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def plugin_env(**extra: str) -> dict[str, str]:
    """os.environ for a subprocess that loads installed lesson packages."""
    env = {k: v for k, v in os.environ.items() if k not in (NO_AUTOLOAD_ENV, LESSONS_PATH_ENV)}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture(scope="session")
def backprop(registry):
    return registry.get("backprop")


@pytest.fixture
def solution(tmp_path, backprop):
    """Write a learner file: the reference with some functions replaced by ``source``."""

    def write(source: str = "", *, from_scratch: bool = False, name: str = "backprop.py") -> Path:
        source = textwrap.dedent(source)
        if not from_scratch:
            source = backprop.reference_path.read_text() + "\n\n" + source
        path = tmp_path / name
        path.write_text(source)
        return path

    return write


@pytest.fixture
def grade(backprop):
    """Grade a file; returns {exercise name: ExerciseResult}."""

    def run(path, names=None, lesson=None, seconds=10.0, jail="auto"):
        lesson = lesson or backprop
        exercises = [lesson.exercise(n) for n in names] if names else None
        grader = Grader(lesson, path, Limits(seconds=seconds, jail=jail))
        try:
            return {r.exercise.split(".", 1)[1]: r for r in grader.grade(exercises)}
        finally:
            grader.close()

    return run
