"""`tutor export gradescope`: the autograder zip, tried the way Gradescope uses it, in a
temporary root (AUTOGRADER_ROOT): unpack, setup.sh into a fresh virtual environment, then
run_autograder on a correct and a wrong submission, and results.json checked."""

import base64
import hashlib
import importlib.metadata as md
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
from classroom_helpers import REFERENCE, check_results_json, mutant, tutor

from tutor.classroom.wheels import repack

pytestmark = pytest.mark.slow

SECRET = "autograder secret"
ASSIGNMENT = f"""\
format = 1
lesson = "backprop"
seed = "{SECRET}"
time_limit = 5

[[exercises]]
name = "affine_backward"
points = 2

[[exercises]]
name = "relu_forward"
visibility = "after_due_date"
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """The autograder, exported, unpacked where Gradescope puts it, and set up."""
    work = tmp_path_factory.mktemp("export")
    (work / "a1.toml").write_text(ASSIGNMENT)
    proc = tutor("export", "gradescope", "backprop", "--assignment", "a1.toml",
                 "-o", "autograder.zip", cwd=work)
    assert proc.returncode == 0, proc.stderr
    zip_path = work / "autograder.zip"
    root = work / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in zf.infolist()}
    for name, mode in modes.items():
        (root / "source" / name).chmod(mode)  # extractall drops the modes: as unzip keeps
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    return root, modes, env


def run_autograder(root, env, files):
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    proc = subprocess.run([str(root / "source" / "run_autograder")], env=env, cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    check_results_json(data)
    return data, proc


def test_the_zip_holds_what_gradescope_expects(root):
    root, modes, _ = root
    source = root / "source"
    assert {"setup.sh", "run_autograder", "assignment.toml", "constraints.txt"} <= set(modes)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert (source / "assignment.toml").read_text() == ASSIGNMENT
    wheels = [n for n in modes if n.startswith("wheels/")]
    assert wheels == ["wheels/tutor-0.1.0-py3-none-any.whl"]  # backprop ships with tutor
    pins = (source / "constraints.txt").read_text().split()
    assert pins and all("==" in p for p in pins)
    for name in ("numpy", "click", "rich", "pluggy"):
        assert f"{name}=={md.version(name)}" in pins
    assert not any(p.startswith("tutor==") for p in pins)


def test_setup_installs_tutor_from_the_wheels_into_a_fresh_environment(root):
    root, _, env = root
    python = root / "venv" / "bin" / "python"
    code = "import tutor, numpy; print(tutor.__file__); print(numpy.__version__)"
    proc = subprocess.run([str(python), "-c", code], env=env, capture_output=True, text=True,
                          cwd=root)
    where, numpy_version = proc.stdout.split()
    assert where.startswith(str(root / "venv")), where  # not this checkout
    assert numpy_version == md.version("numpy")  # the pinned version


def test_a_correct_submission_gets_every_point(root):
    root, _, env = root
    data, _ = run_autograder(root, env, {"backprop.py": REFERENCE})
    assert data["score"] == 3
    assert [t["name"] for t in data["tests"]] == ["backprop.affine_backward",
                                                  "backprop.relu_forward"]
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_due_date"]
    assert SECRET not in json.dumps(data)


def test_a_wrong_submission_is_told_what_is_wrong(root):
    root, _, env = root
    data, proc = run_autograder(root, env, {"my_backprop.py": mutant(
        "affine_backward__db_mean")})
    assert data["score"] == 1
    failed = data["tests"][0]
    assert failed["status"] == "failed" and failed["output"].startswith("wrong-value")
    assert "my_backprop.py: 1 of 2 exercises pass" in data["output"]
    assert SECRET not in json.dumps(data) + proc.stdout + proc.stderr


def test_a_submission_without_code_still_gets_results(root):
    root, _, env = root
    data, _ = run_autograder(root, env, {"README.md": "I forgot"})
    assert data["score"] == 0 and "has no .py file" in data["output"]


def test_results_json_is_written_even_when_tutor_fails(root):
    root, _, env = root
    assignment = root / "source" / "assignment.toml"
    saved = assignment.read_text()
    assignment.write_text("format = 1\npoints = 'broken'\n")
    try:
        data, proc = run_autograder(root, env, {"backprop.py": REFERENCE})
    finally:
        assignment.write_text(saved)
    assert data["score"] == 0 and "could not grade" in data["output"]
    assert "unknown key 'points'" in proc.stderr  # the reason, in the staff's log


def test_an_installed_distribution_is_packed_back_into_an_installable_wheel(tmp_path):
    """The path the export takes for a non-editable install (a course's own machine)."""
    dist = md.distribution("pluggy")
    wheel = repack(dist, tmp_path)
    assert wheel.name.startswith(f"pluggy-{dist.version}-") and wheel.suffix == ".whl"
    with zipfile.ZipFile(wheel) as zf:
        record = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD")))
        for line in record.decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            if digest:
                data = zf.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert digest == "sha256=" + expected.decode() and int(size) == len(data)
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--disable-pip-version-check", "--target", str(target), str(wheel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    installed = sorted(p.relative_to(target).as_posix() for p in (target / "pluggy").rglob("*.py"))
    original = sorted(f.as_posix() for f in dist.files if f.parts[0] == "pluggy"
                      and f.suffix == ".py")
    assert installed == original
    for name in installed:
        assert (target / name).read_bytes() == dist.locate_file(name).read_bytes()


def test_a_lesson_package_is_exported_with_its_own_wheel(tmp_path):
    """A third party's lesson (plugins/tutor-dropout, installed into a target folder) goes
    into the zip as a wheel of its own, beside tutor's, and that wheel installs the lesson."""
    from conftest import REPO

    site = tmp_path / "site"
    source = tmp_path / "src"
    shutil.copytree(REPO / "plugins" / "tutor-dropout", source,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                           "--no-build-isolation", "--disable-pip-version-check", "--target",
                           str(site), str(source)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    env = {"PYTHONPATH": str(site)}
    proc = tutor("export", "gradescope", "dropout", "-o", "dropout.zip", cwd=tmp_path, env=env,
                 plugins=True)
    assert proc.returncode == 0, proc.stderr
    assert "no secret seed" in proc.stderr
    with zipfile.ZipFile(tmp_path / "dropout.zip") as zf:
        wheels = sorted(n for n in zf.namelist() if n.startswith("wheels/"))
        assert wheels == ["wheels/tutor-0.1.0-py3-none-any.whl",
                          "wheels/tutor_dropout-0.1.0-py3-none-any.whl"]
        setup = zf.read("setup.sh").decode()
        assert all(f'"$SOURCE/{w}"' in setup for w in wheels)
        assert 'lesson = "dropout"' in zf.read("assignment.toml").decode()
        zf.extract(wheels[1], tmp_path)
    target = tmp_path / "reinstalled"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--disable-pip-version-check", "--target", str(target),
                           str(tmp_path / wheels[1])], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (target / "tutor_dropout" / "lesson.toml").is_file()
    entry_points = next(target.glob("tutor_dropout-*.dist-info")) / "entry_points.txt"
    assert "dropout = tutor_dropout" in entry_points.read_text()


def test_export_refuses_what_it_cannot_do(tmp_path):
    from conftest import REPO

    cases = [
        (["export", "junit", "backprop", "-o", "x.zip"], 2,
         "no exporter 'junit' can export (these can: gradescope)"),
        (["export", "gradescope", "backprop", "-o", "."], 2, "-o . is a folder"),
        (["export", "gradescope", "nope", "-o", "x.zip"], 2, "unknown lesson 'nope'"),
        (["--lessons-dir", str(REPO / "plugins" / "tutor-dropout" / "tutor_dropout"), "export",
          "gradescope", "dropout", "-o", "x.zip"], 1,
         "is loaded from " + str(REPO / "plugins" / "tutor-dropout" / "tutor_dropout")
         + ", not from an installed package"),
    ]
    for args, code, message in cases:
        proc = tutor(*args, cwd=tmp_path)
        assert proc.returncode == code and message in proc.stderr, (args, proc.stderr)
    assert not (tmp_path / "x.zip").exists()
