"""Shared by the instructor-mode tests: writing a class folder, running `tutor grade`, and
checking a results.json against Gradescope's format."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, plugin_env

BACKPROP = REPO / "lessons" / "backprop"
REFERENCE = (BACKPROP / "reference.py").read_text()
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def mutant(name: str) -> str:
    """The reference with one of the lesson's known mistakes."""
    return REFERENCE + "\n\n" + (BACKPROP / "mutants" / f"{name}.py").read_text()


def tutor(*args: str, cwd: Path, env: dict | None = None, timeout: float = 300,
          plugins: bool = False):
    """``tutor ARGS`` in a subprocess; ``plugins`` lets it load installed plugin packages
    (the suite otherwise keeps them out, see conftest.py)."""
    base = plugin_env() if plugins else dict(os.environ)
    full = dict(base, COLUMNS="120", NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=timeout)


def check_results_json(data: dict) -> None:
    """The fields and types Gradescope reads from results.json."""
    assert isinstance(data["score"], int | float) and data["score"] >= 0
    assert isinstance(data["execution_time"], int | float)
    assert isinstance(data["output"], str)
    assert data.get("stdout_visibility", "hidden") in VISIBILITIES
    assert isinstance(data["tests"], list)
    total = 0.0
    for test in data["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number",
                             "output", "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert (test["status"] == "passed") == (test["score"] == test["max_score"] > 0) \
            or test["max_score"] == 0
        assert test["visibility"] in VISIBILITIES
        assert isinstance(test["output"], str)
        total += test["score"]
    assert abs(total - data["score"]) < 1e-9
