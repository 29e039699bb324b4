import textwrap
from pathlib import Path

import pytest

from tutor.grader import Grader
from tutor.plugins import load_registry
from tutor.sandbox.supervisor import Limits

REPO = Path(__file__).resolve().parents[1]


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
