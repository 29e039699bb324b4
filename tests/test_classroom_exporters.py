"""Exporters are plugins: tutor's own through the hook, a third party's found after install
(an entry point), a broken one reported without losing the others' outputs."""

import csv
import re
import textwrap

from classroom_helpers import REFERENCE, tutor
from conftest import REPO

from tutor import hookimpl
from tutor.classroom.exporters import Exporters
from tutor.classroom.exporters.gradebook import _cell
from tutor.plugins import make_plugin_manager


def test_builtin_exporters_register_through_the_hook():
    exporters = Exporters.from_plugins(make_plugin_manager(entry_points=False))
    assert list(exporters.by_name) == ["gradescope", "junit", "csv"]
    assert exporters.plugins["junit"] == "tutor.classroom.exporters.junit"
    assert exporters.packagers() == ["gradescope"]
    assert exporters.errors == []


def test_a_name_registered_twice_keeps_the_first_and_says_so():
    class Again:
        @hookimpl
        def tutor_register_exporters(self, register):
            register(type("Csv", (), {"name": "csv", "description": "mine",
                                      "write": lambda self, book, out: []})())

    pm = make_plugin_manager(entry_points=False)
    pm.register(Again(), name="again")
    exporters = Exporters.from_plugins(pm)
    assert exporters.plugins["csv"] == "tutor.classroom.exporters.gradebook"
    (error,) = exporters.errors
    assert "'csv' is registered by both tutor.classroom.exporters.gradebook and again" \
        in str(error)


def test_registering_something_else_is_reported():
    class Bad:
        @hookimpl
        def tutor_register_exporters(self, register):
            register("junit")

    pm = make_plugin_manager(entry_points=False, builtins=False)
    pm.register(Bad(), name="bad")
    (error,) = Exporters.from_plugins(pm).errors
    assert "plugin bad registered 'junit', which is not an exporter" in str(error)


def test_cells_that_would_start_a_formula_are_quoted():
    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell("-1") == "'-1" and _cell("@x") == "'@x" and _cell("alice") == "alice"
    assert _cell("two\nlines") == "two lines"


def _documented_example() -> str:
    """The exporter shown in docs/plugins.md, verbatim."""
    docs = (REPO / "docs" / "plugins.md").read_text()
    section = docs.split("tutor_register_exporters(register)", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def _install(site, module, code, entry):
    """A package 'installed' the way pip leaves it: the module and its dist-info with a
    tutor.lessons entry point."""
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text(code)
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[tutor.lessons]\n{entry} = {module}\n")


def test_a_third_party_exporter_is_found_after_install_and_writes(tmp_path):
    site = tmp_path / "site"
    _install(site, "tutor_scores", _documented_example(), "scores")
    _install(site, "tutor_broken", textwrap.dedent("""
        from tutor import hookimpl

        class Broken:
            name = "broken"
            description = "always fails"

            def write(self, gradebook, out):
                raise RuntimeError("disk on fire")

        @hookimpl
        def tutor_register_exporters(register):
            register(Broken())
    """), "broken")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.py").write_text(REFERENCE)
    proc = tutor("grade", "class", "--lesson", "backprop", "--seed", "x", cwd=tmp_path,
                 env={"PYTHONPATH": str(site)}, plugins=True)
    out = tmp_path / "grades"
    assert (out / "scores.json").read_text() == '{"ann": 8.0}'
    # The broken exporter is reported and the run fails, but every other output is there.
    assert proc.returncode == 1
    assert "exporter 'broken' failed: RuntimeError: disk on fire" in proc.stderr
    with open(out / "gradebook.csv", newline="") as f:
        assert next(csv.DictReader(f))["score"] == "8"
    assert (out / "junit.xml").is_file() and (out / "results" / "ann.json").is_file()
    assert (out / "summary.md").is_file()
