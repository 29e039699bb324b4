"""`tutor dev new`: the package it writes is complete, installs, and meets the bar except for
the minimums it lists; the project's own tests do not notice a third-party lesson installed.

The slow tests really install the generated package: into a ``--target`` folder (as a user
gets it from a wheel) and editable (as its author works), and run ``tutor`` in fresh
interpreters that see it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, plugin_env

from tutor.devcheck import MINIMUMS, minimums
from tutor.lesson import Lesson
from tutor.plugins import PACKAGE_DATA
from tutor.scaffold import Names, ScaffoldError, create

# The checks a new package fails, and only these: the quiz's counted minimums.
UNMET = {"quiz size", "numeric questions", "misconception items"}


def tutor(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd, env=env)


def failed_items(report: str) -> set[str]:
    """The names of the ✗ items of a `tutor dev check` report."""
    return {m.group(1) for m in re.finditer(r"^  ✗ (.+?)  ", report, re.M)}


@pytest.fixture
def package(tmp_path) -> Path:
    root = tmp_path / "tutor-l2reg"
    create(Names.for_lesson("l2reg"), root)
    return root


def test_the_package_has_every_part_of_a_lesson(package):
    files = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert {"pyproject.toml", "README.md", ".gitignore", "tests/test_discovery.py",
            "tutor_l2reg/__init__.py", "tutor_l2reg/lesson.toml", "tutor_l2reg/quiz.toml",
            "tutor_l2reg/quiz.py", "tutor_l2reg/stub.py", "tutor_l2reg/reference.py",
            "tutor_l2reg/cases.py", "tutor_l2reg/experiment.py",
            "tutor_l2reg/pages/01-introduction.md"} <= files
    for path in package.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(), f"unfilled placeholder in {path}"
    lesson = Lesson.from_folder(package / "tutor_l2reg")
    assert lesson.id == "l2reg" and [e.id for e in lesson.exercises] == ["l2reg.mse_loss"]
    quiz = lesson.quiz.questions
    assert any(q.kind == "numeric" for q in quiz) and any(q.misconception for q in quiz)
    assert len([m for m in lesson.mutants() if m.exercise == "mse_loss"]) >= 3
    toml = (package / "pyproject.toml").read_text()
    assert '[project.entry-points."tutor.lessons"]\nl2reg = "tutor_l2reg"' in toml
    assert f"tutor_l2reg = {PACKAGE_DATA}" in toml


def test_the_package_lists_only_the_quiz_minimums_as_unmet(package):
    lesson = Lesson.from_folder(package / "tutor_l2reg")
    items = minimums(lesson)
    assert {i.name for i in items if not i.ok} == UNMET
    assert [i.name for i in items if i.warning] == ["prose length"]


def test_a_failed_minimum_states_it_and_how_to_meet_it(package):
    folder = package / "tutor_l2reg"
    toml = (folder / "lesson.toml").read_text()
    toml = re.sub(r'hints = \[\n  "[^\n]*\n', "hints = [\n", toml, count=1)  # 3 hints -> 2
    (folder / "lesson.toml").write_text(toml)
    for name in ("missing_two", "sign_flipped"):  # 4 mutants -> 2
        (folder / "mutants" / f"{name}.py").unlink()
    items = {i.name: i for i in minimums(Lesson.from_folder(folder))}
    by_name = {m.name: m for m in MINIMUMS}
    for name, count in [("quiz size", 3), ("numeric questions", 1), ("misconception items", 1),
                        ("hints", 2), ("mutants per exercise", 2)]:
        item, minimum = items[name], by_name[name]
        assert not item.ok
        assert f"{count} of at least {minimum.least}" in item.detail or \
            f"mse_loss has {count}; at least {minimum.least}" in item.detail, item.detail
        assert minimum.how in item.detail


def test_the_generated_python_is_lint_clean(package):
    found = shutil.which("ruff")
    exe = [found] if found else [sys.executable, "-m", "ruff"]
    proc = subprocess.run([*exe, "check", "--no-cache", "--isolated", "--line-length", "100",
                           "--select", "E,F,W,I,B,UP,SIM", "--target-version", "py311", "."],
                          cwd=package, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bad_ids_and_used_folders_are_refused(tmp_path):
    for bad in ("L2", "2reg", "l2-reg", "class", ""):
        with pytest.raises(ScaffoldError, match="cannot be a lesson id"):
            Names.for_lesson(bad)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="not an empty folder"):
        create(Names.for_lesson("l2reg"), tmp_path / "taken")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_dev_new_refuses_an_installed_id_and_lists_the_to_do(tmp_path):
    proc = tutor("dev", "new", "backprop", cwd=tmp_path)
    assert proc.returncode == 2 and "already installed" in proc.stderr
    assert not (tmp_path / "tutor-backprop").exists()
    proc = tutor("dev", "new", "l2reg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "tutor-l2reg" / "tutor_l2reg" / "lesson.toml").is_file()
    assert "pip install -e ./tutor-l2reg" in proc.stdout
    for name in UNMET:
        assert f"- {name}: " in proc.stdout, name
    assert "[[questions]]" in proc.stdout  # the advice is printed as written, not as markup


@pytest.mark.slow
def test_dev_check_fails_only_on_the_minimums(package, tmp_path):
    proc = tutor("--lessons-dir", str(package / "tutor_l2reg"), "dev", "check", "l2reg",
                 cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert failed_items(proc.stdout) == UNMET, proc.stdout
    assert "mutants rejected  4 with the declared diagnosis" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "dev check failed: l2reg below the bar"


# -- installed ---------------------------------------------------------------------------

def _pip_install(source: Path, target: Path, *, editable: bool = False) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-input", "--disable-pip-version-check", "--target", str(target),
         *(["-e"] if editable else []), str(source)],
        capture_output=True, text=True, timeout=300, cwd=source.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# `site.addsitedir` also runs the folder's .pth files, which an editable install needs.
RUN_TUTOR = "import site, sys; site.addsitedir(sys.argv.pop(1)); from tutor.cli import main; main()"


def installed(site: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`tutor ARGS` in a fresh interpreter that sees the packages installed in ``site``."""
    return subprocess.run([sys.executable, "-c", RUN_TUTOR, str(site), *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=plugin_env(COLUMNS="200", NO_COLOR="1", **env))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A new package, built and installed as a user gets it (not editable)."""
    source = tmp_path_factory.mktemp("scaffold") / "tutor-l2reg"
    create(Names.for_lesson("l2reg"), source)
    site = tmp_path_factory.mktemp("site")
    _pip_install(source, site)
    return site


@pytest.mark.slow
def test_the_installed_package_is_listed_and_checked(site, tmp_path):
    assert (site / "tutor_l2reg" / "lesson.toml").is_file()
    assert (site / "tutor_l2reg" / "mutants" / "missing_two.py").is_file()
    proc = installed(site, "list", cwd=tmp_path)
    assert proc.returncode == 0 and "l2reg.mse_loss" in proc.stdout, proc.stdout + proc.stderr
    assert proc.stderr == ""
    proc = installed(site, "dev", "check", "l2reg", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"l2reg  (l2reg, {site / 'tutor_l2reg'})" in proc.stdout  # the entry point's copy
    assert failed_items(proc.stdout) == UNMET, proc.stdout


@pytest.mark.slow
def test_check_on_the_stub_is_not_implemented(site, tmp_path):
    stub = site / "tutor_l2reg" / "stub.py"
    proc = installed(site, "check", "l2reg", "--file", str(stub), "--json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (result,) = json.loads(proc.stdout)["exercises"]
    assert result["exercise"] == "l2reg.mse_loss" and result["verdict"] == "not-implemented"
    reference = site / "tutor_l2reg" / "reference.py"
    proc = installed(site, "check", "l2reg", "--file", str(reference), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_the_packages_own_discovery_test_passes(site, tmp_path):
    source = tmp_path / "tutor-l2reg"
    create(Names.for_lesson("l2reg"), source)
    env = plugin_env(PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=source, capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.slow
def test_an_editable_install_sees_edits_without_reinstalling(tmp_path):
    source = tmp_path / "tutor-l2reg"
    create(Names.for_lesson("l2reg"), source)
    site = tmp_path / "site"
    _pip_install(source, site, editable=True)
    assert not (site / "tutor_l2reg").exists()  # nothing copied: the source is read
    proc = installed(site, "list", cwd=tmp_path)
    assert proc.returncode == 0 and "L2reg" in proc.stdout, proc.stdout + proc.stderr
    toml = source / "tutor_l2reg" / "lesson.toml"
    toml.write_text(toml.read_text().replace('title = "L2reg"', 'title = "Weight decay"'))
    (source / "tutor_l2reg" / "stub.py").write_text(
        (source / "tutor_l2reg" / "reference.py").read_text())  # a stub that passes
    proc = installed(site, "list", cwd=tmp_path)
    assert "Weight decay" in proc.stdout and "L2reg" not in proc.stdout, proc.stdout
    proc = installed(site, "dev", "check", "l2reg", cwd=tmp_path)
    assert "stub fails as shipped" in failed_items(proc.stdout), proc.stdout


@pytest.mark.slow
def test_a_package_without_its_data_says_how_to_fix_it(tmp_path):
    """The pyproject.toml with only an entry point: the lesson's files are not installed."""
    source = tmp_path / "tutor-l2reg"
    create(Names.for_lesson("l2reg"), source)
    (source / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "tutor-l2reg"
        version = "0.1.0"

        [project.entry-points."tutor.lessons"]
        l2reg = "tutor_l2reg"
    """))
    site = tmp_path / "site"
    _pip_install(source, site)
    assert not (site / "tutor_l2reg" / "lesson.toml").exists()
    proc = installed(site, "list", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "skipped a broken lesson" in proc.stderr
    assert "tutor-l2reg 0.1.0 was installed without it" in proc.stderr, proc.stderr
    assert f"tutor_l2reg = {PACKAGE_DATA}" in proc.stderr
    proc = installed(site, "dev", "check", "l2reg", cwd=tmp_path)
    assert proc.returncode == 2
    assert "installed without it" in proc.stdout and "unknown lesson 'l2reg'" in proc.stderr
    assert "    [tool.setuptools.package-data]\n" in proc.stdout  # printed, not read as markup


@pytest.mark.slow
def test_the_projects_tests_ignore_an_installed_lesson(site, tmp_path):
    """With the new package installed (it fails dev check, and adds a lesson to the map),
    the project's tests that cover every installed lesson still pass."""
    proc = installed(site, "dev", "check", cwd=tmp_path)
    assert proc.returncode == 1 and "l2reg" in proc.stdout  # it is really visible
    env = plugin_env(PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
         "--snapshot-report", str(tmp_path / "report.html"),
         "tests/test_app_snapshots.py::test_lesson_map",
         "tests/test_app_snapshots.py::test_progress",
         "tests/test_cli.py::test_dev_check_passes_for_every_installed_lesson",
         "tests/test_cli.py::test_init_creates_stubs_and_never_overwrites",
         "tests/test_docs.py::test_every_builtin_exercise_is_in_the_contract_page"],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "7 passed" in proc.stdout, proc.stdout[-2000:]


def test_every_template_is_package_data():
    """A wheel of tutor holds only the files pyproject.toml lists: every template must be."""
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = data["package-data"]["tutor"] + data["package-data"]["*"]
    root = REPO / "tutor"
    listed = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    templates = {p for p in (root / "templates").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    assert templates and templates <= listed, sorted(map(str, templates - listed))
