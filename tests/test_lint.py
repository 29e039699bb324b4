"""ruff and mypy, as configured in pyproject.toml, are part of the test suite."""

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.parametrize("tool, args", [("ruff", ["check", "."]), ("mypy", [])])
def test_tool_is_clean(tool, args):
    found = shutil.which(tool)
    exe = [found] if found else [sys.executable, "-m", tool]
    proc = subprocess.run([*exe, *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
