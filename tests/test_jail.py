"""The jail: no network, no reference solution, no workspace, no parent, bounded scratch;
`auto` falls back (in one line) only when bubblewrap itself fails, never on the learner's
word; `bwrap` refuses to grade without it."""

import os
import socket
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tutor
from tutor.sandbox import jail
from tutor.sandbox.supervisor import Limits, Sandbox

needs_jail = pytest.mark.skipif(jail.unavailable() is not None,
                                reason=f"the jail cannot run here: {jail.unavailable()}")


def probe(tmp_path: Path, body: str, backprop=None) -> dict:
    """Run ``probe()`` from a learner file in the jail and return what it found."""
    path = tmp_path / "probe.py"
    path.write_text(textwrap.dedent(body))
    hide = [backprop.folder] if backprop else []
    with Sandbox(path, Limits(jail="bwrap"), hide=hide) as sandbox:
        outcome = sandbox.call("probe", [], 30)
    assert outcome.ok, (outcome.kind, outcome.message, outcome.printed)
    return {k: (v.text.strip("'\"") if hasattr(v, "text") else v)
            for k, v in outcome.value.items()}


@needs_jail
def test_no_network(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        found = probe(tmp_path, f"""
            import socket
            def probe():
                try:
                    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
                    reached = "yes"
                except OSError as e:
                    reached = type(e).__name__
                with open("/proc/net/dev") as f:
                    links = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
                return {{"reached": reached, "links": ",".join(links)}}
        """)
    finally:
        server.close()
    assert found["reached"] != "yes"
    assert found["links"] == "lo"


@needs_jail
def test_no_way_to_a_reference_solution(tmp_path, backprop):
    import tutor_lessons

    reference = backprop.reference_path
    lessons_root = Path(tutor_lessons.__file__).parent
    found = probe(tmp_path, f"""
        import importlib, importlib.util, os, sys
        def attempt(thunk):
            try:
                thunk()
                return "reached"
            except BaseException as e:
                return type(e).__name__
        def by_path():
            spec = importlib.util.spec_from_file_location("r", {str(reference)!r})
            importlib.util.module_from_spec(spec)
            spec.loader.exec_module(importlib.util.module_from_spec(spec))
        def by_import():
            sys.meta_path[:] = [m for m in sys.meta_path
                                if type(m).__name__ != "NoTutorImports"]
            sys.path[:0] = {[str(lessons_root.parent), str(Path(tutor.__file__).parents[1])]!r}
            sys.path[:0] = {[p for p in sys.path if p.endswith("site-packages")]!r}
            importlib.invalidate_caches()
            importlib.import_module("tutor_lessons.backprop.reference")
        def by_open():
            exec(open({str(reference)!r}).read(), {{}})
        def search():
            import glob
            hits = []
            tops = sys.path + ["/tmp", "/tutor"] + glob.glob({sys.base_prefix + "/lib/python3*"!r})
            tops += glob.glob("/usr/lib/python3*") + glob.glob("/usr/local/lib/python3*")
            for top in tops:
                for root, dirs, files in os.walk(top):
                    hits += [root for d in dirs if d == "tutor_lessons"
                             or d in ("tutor", "lessons")
                             and os.path.exists(os.path.join(root, d, "__init__.py"))]
                    for name in files:
                        if name.endswith(".py") and name.startswith(("reference", "stub")):
                            with open(os.path.join(root, name), errors="replace") as f:
                                if "def affine_backward" in f.read():
                                    hits.append(os.path.join(root, name))
            return hits
        def probe():
            return {{"path": attempt(by_path), "import": attempt(by_import),
                    "open": attempt(by_open), "found": ";".join(search()),
                    "tutor": attempt(lambda: importlib.import_module("tutor"))}}
    """, backprop)
    assert found["path"] in ("FileNotFoundError", "ModuleNotFoundError"), found
    assert found["import"] == "ModuleNotFoundError", found
    assert found["open"] == "FileNotFoundError", found
    assert found["tutor"] == "ModuleNotFoundError", found
    assert found["found"] == "", found


@needs_jail
def test_no_workspace_home_or_packages(tmp_path):
    (tmp_path / "other.py").write_text("SECRET = 1\n")
    paths = [tmp_path / "other.py", tmp_path, Path.home() / ".bashrc",
             Path(tutor.__file__).parent, Path(np.__file__).parents[1]]
    found = probe(tmp_path, f"""
        import os
        def probe():
            return {{p: str(os.path.exists(p)) for p in {[str(p) for p in paths]!r}}}
    """)
    assert set(found.values()) == {"False"}, found


@needs_jail
def test_no_view_of_tutor_or_any_other_process(tmp_path):
    found = probe(tmp_path, f"""
        import os, signal
        def probe():
            try:
                os.kill({os.getpid()}, 0)
                parent = "reachable"
            except ProcessLookupError:  # not in its PID namespace
                parent = "unreachable"
            except PermissionError:  # the system-call filter: signals to itself only
                parent = "refused"
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
            return {{"parent": parent, "pids": len(pids), "ppid": os.getppid(),
                    "listed": os.path.exists("/proc/{os.getpid()}")}}
    """)
    assert found["parent"] in ("unreachable", "refused") and not found["listed"]
    assert found["pids"] <= 3 and found["ppid"] == 1


@needs_jail
def test_scratch_is_private_and_bounded(tmp_path):
    found = probe(tmp_path, """
        import errno, os
        def probe():
            written = 0
            try:
                for i in range(100):
                    with open(f"/tmp/f{i}", "wb") as f:
                        f.write(b"x" * (4 << 20))
                    written += 4
            except OSError as e:
                return {"written_mb": written, "error": errno.errorcode[e.errno]}
            return {"written_mb": written, "error": ""}
    """)
    assert found["error"] in ("ENOSPC", "EFBIG") and found["written_mb"] <= 64


@needs_jail
def test_a_module_beside_the_file_is_out_of_view_and_the_message_says_why(
        tmp_path, solution, grade):
    (tmp_path / "helpers.py").write_text("def relu(x):\n    return x\n")
    path = solution("from helpers import relu\n")
    result = grade(path, ["relu_forward"], jail="bwrap")["relu_forward"]
    assert result.verdict == "import-error"
    assert "only the graded file is in view" in result.checks[0].message


# -- auto and bwrap ---------------------------------------------------------------------------

@pytest.fixture
def failing_bwrap(tmp_path, monkeypatch):
    """A bwrap that fails as it does where user namespaces are not allowed."""
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(jail, "bwrap_path", lambda: str(fake))
    monkeypatch.setattr(jail, "_broken", None)
    monkeypatch.setattr(jail, "_seen", set())
    monkeypatch.setattr(sys, "platform", "linux")
    jail.notices()
    return fake


def test_auto_falls_back_in_one_line_when_bwrap_fails(failing_bwrap, solution, grade):
    results = grade(solution(""), ["relu_forward", "affine_forward"], jail="auto")
    assert all(r.passed for r in results.values())
    notes = jail.notices()
    assert len(notes) == 1 and "No permissions to create a new namespace" in notes[0]


def test_bwrap_required_is_a_named_verdict_when_it_fails(failing_bwrap, solution, grade):
    result = grade(solution(""), ["relu_forward"], jail="bwrap")["relu_forward"]
    assert result.verdict == "sandbox-error"
    assert "No permissions" in result.checks[0].message


@needs_jail
def test_learner_code_cannot_talk_auto_out_of_the_jail(solution, grade, monkeypatch):
    monkeypatch.setattr(jail, "_broken", None)
    path = solution("import os\nos.write(2, b'bwrap: fake failure\\n')\nos._exit(1)\n",
                    from_scratch=True)
    result = grade(path, ["relu_forward"], jail="auto")["relu_forward"]
    assert result.verdict == "exit"
    assert jail.unavailable() is None


def test_the_jail_is_linux_only_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(jail.JailError, match="needs Linux"):
        jail.resolve("bwrap")
    assert jail.resolve("none") == "none"


def test_check_refuses_a_required_jail_it_cannot_have(monkeypatch, tmp_path, backprop):
    from click.testing import CliRunner

    from tutor.cli import cli

    monkeypatch.setattr(jail, "bwrap_path", lambda: None)
    (tmp_path / "backprop.py").write_text(backprop.reference_path.read_text())
    result = CliRunner().invoke(cli, ["check", "backprop", "--file",
                                      str(tmp_path / "backprop.py"), "--jail", "bwrap"])
    assert result.exit_code == 2
    assert "--jail bwrap" in result.output and "not installed" in result.output


@pytest.mark.skipif(os.geteuid() != 0 or jail.unavailable() is not None,
                    reason="needs root (to become another user) and a working jail")
def test_the_jail_works_for_an_ordinary_user(tmp_path):
    """The CI runs as root: run the jail once as nobody too, with a Python that nobody can
    read (the system's), skipping where there is none."""
    import shutil
    import subprocess

    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        pytest.skip("no system python3 that an ordinary user can run")
    bwrap = jail.bwrap_path()
    assert bwrap is not None
    for parent in Path(bwrap).parents:  # the ordinary user must be able to run it
        if not os.access(parent, os.X_OK) or parent.stat().st_mode & 0o001 == 0:
            pytest.skip(f"{parent} is not open to other users")
    proc = subprocess.run(
        [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr",
         "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
         "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
         python, "-c", "import os; print(os.getuid(), len(os.listdir('/proc')))"],
        user=65534, group=65534, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "65534"
