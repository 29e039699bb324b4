"""A lesson shipped as its own package is found through its entry point once installed.

The example package ``plugins/tutor-dropout`` is really installed (into a temporary target
folder, so the test environment is left alone), and fresh interpreters with that folder on
``PYTHONPATH`` must see the ``tutor.lessons`` entry point, register the lesson ``dropout``
from it, and list it on the command line.
"""

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import plugin_env

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "plugins" / "tutor-dropout"

pytestmark = pytest.mark.slow


def _can_build_wheels() -> bool:
    """--no-build-isolation builds with this environment's setuptools, which makes wheels
    by itself from 70.1 on and with the separate ``wheel`` package before that."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major_minor = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    return major_minor >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """plugins/tutor-dropout, pip-installed into a fresh target folder."""
    if not _can_build_wheels():
        pytest.fail("building the package needs setuptools >= 70.1 (in the test extras)")
    target = tmp_path_factory.mktemp("plugin") / "site"
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path_factory.mktemp("plugin-src") / "tutor-dropout"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-input", "--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300, cwd=source.parent,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "tutor_dropout" / "lesson.toml").is_file()
    return target


def _env(site: Path) -> dict[str, str]:
    env = plugin_env()  # installed packages load; only the installed one supplies the lesson
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    env["COLUMNS"] = "200"  # rich tables: room for every exercise id on one line
    env["NO_COLOR"] = "1"
    return env


def _run(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=_env(site) | env)


DISCOVER = textwrap.dedent("""
    import json, sys
    from importlib.metadata import entry_points
    from pathlib import Path

    import numpy as np

    from tutor import Lesson
    from tutor.plugins import load_registry

    site = Path(sys.argv[1]).resolve()
    eps = [ep for ep in entry_points(group="tutor.lessons") if ep.name == "dropout"]
    registry = load_registry()
    lesson = registry.get("dropout")
    report = {
        "entry_points": [[ep.name, ep.value, ep.dist.name if ep.dist else None] for ep in eps],
        "ids": [l.id for l in registry],
        "registered": lesson is not None,
    }
    if lesson is not None:
        again = Lesson.from_folder(lesson.folder)
        x = np.arange(-3.0, 3.0).reshape(2, 3)
        mask = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
        out = again.reference.dropout_forward(x, mask, 0.25)
        dx = again.reference.dropout_backward(x, x, mask, 0.25)
        report.update({
            "plugin": lesson.plugin,
            "in_site": lesson.folder.resolve().is_relative_to(site),
            "same_lesson": again == lesson,
            "exercises": [e.id for e in again.exercises],
            "requires": list(again.requires),
            "reference_ok": bool(np.array_equal(out, x * mask / 0.75)
                                 and np.array_equal(dx, x * mask / 0.75)),
        })
    print(json.dumps(report))
""")


def test_entry_point_registers_the_dropout_lesson(site, tmp_path):
    proc = _run(site, tmp_path, "-c", DISCOVER, str(site))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["entry_points"] == [["dropout", "tutor_dropout", "tutor-dropout"]]
    assert report["registered"], f"dropout not in the registry: {report['ids']}"
    assert report["plugin"] == "dropout"  # registered by the entry point, under its name
    assert report["in_site"], "the lesson was not loaded from the installed package"
    assert report["same_lesson"]
    assert report["exercises"] == ["dropout.dropout_forward", "dropout.dropout_backward"]
    assert report["requires"] == ["backprop"]
    assert report["reference_ok"]


def test_without_the_package_there_is_no_dropout_lesson(tmp_path):
    code = ("from tutor.plugins import load_registry; "
            "print('dropout' in {l.id for l in load_registry()})")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env=plugin_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if proc.stdout.strip() == "True":
        pytest.skip("tutor-dropout is installed in the test environment itself")
    assert proc.stdout.strip() == "False"


@pytest.mark.parametrize("command", [
    pytest.param(["-m", "tutor", "list"], id="python -m tutor"),
    pytest.param(["-m", "tutor.cli", "list"], id="python -m tutor.cli"),
])
def test_cli_lists_the_installed_lesson(site, tmp_path, command):
    module = command[1]
    entry = f"{module}.__main__" if module == "tutor" else module
    if importlib.util.find_spec(entry) is None:
        pytest.skip(f"{entry} does not exist yet")
    proc = _run(site, tmp_path, *command)  # tmp_path: no workspace above it
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dropout.dropout_forward" in proc.stdout, proc.stdout
    assert "dropout.dropout_backward" in proc.stdout, proc.stdout
    assert "Dropout" in proc.stdout


def test_the_example_plugin_meets_the_lesson_bar(tmp_path):
    """`tutor dev check` holds the plugin to the same bar as the built-in lessons."""
    proc = subprocess.run([sys.executable, "-m", "tutor", "--lessons-dir",
                           str(PACKAGE / "tutor_dropout"), "dev", "check", "dropout"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mutants rejected" in proc.stdout


def test_the_source_folder_wins_over_the_installed_copy(site, tmp_path):
    """An author with the package installed who points TUTOR_LESSONS_PATH at the source
    gets the source checked, is told so, and the verdict matches the exit status."""
    source = PACKAGE / "tutor_dropout"
    proc = _run(site, tmp_path, "-m", "tutor", "dev", "check", "dropout",
                TUTOR_LESSONS_PATH=str(PACKAGE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = " ".join(proc.stdout.split())  # rich wraps long lines
    assert f"using the development folder {source}" in out
    assert f"instead of the installed copy in {site / 'tutor_dropout'}" in out
    assert f"dropout (lessons-path:{source}, {source})" in out
    assert "could not be loaded" not in out
    assert proc.stdout.strip().splitlines()[-1] == "dev check passed: 1 lesson(s)"
    proc = _run(site, tmp_path, "-m", "tutor", "list", TUTOR_LESSONS_PATH=str(PACKAGE))
    assert proc.returncode == 0 and "using the development folder" in proc.stderr
