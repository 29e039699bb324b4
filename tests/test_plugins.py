"""The plugin surface: hooks, registration, discovery, and errors that say where."""

import importlib.metadata
import inspect
import json
import textwrap

import pluggy
import pytest
from conftest import REPO

from tutor import Lesson, hookimpl, hookspecs
from tutor.plugins import (
    ENTRY_POINT_GROUP,
    NO_AUTOLOAD_ENV,
    PACKAGE_DATA,
    DuplicateLesson,
    LessonFolder,
    Registry,
    make_plugin_manager,
)
from tutor.schema import CatalogError, MissingFile

HOOKS = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
         if name.startswith("tutor_")]


def test_builtin_lessons_register_through_the_hook(registry):
    lesson = registry.get("backprop")
    assert lesson.plugin == "tutor_lessons.backprop"
    assert len(lesson.exercises) == 8


def test_every_hook_is_documented_with_its_signature():
    docs = (REPO / "docs" / "plugins.md").read_text()
    for name in HOOKS:
        fn = getattr(hookspecs, name)
        params = ", ".join(inspect.signature(fn).parameters)
        assert f"{name}({params})" in docs, f"{name} is missing from docs/plugins.md"
        assert fn.__doc__ and "Fires" in fn.__doc__


def test_misspelled_hook_fails_loudly():
    class Typo:
        @hookimpl
        def tutor_register_lesson(self, register):  # missing "s"
            pass

    pm = make_plugin_manager(entry_points=False)
    pm.register(Typo())
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


def write_lesson(folder, lesson_id="extra", order=50, toml_extra=""):
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(textwrap.dedent(f"""\
        format = 1
        id = "{lesson_id}"
        title = "An extra lesson"
        order = {order}
        {toml_extra}
    """))
    return folder


def test_lessons_path_loads_folders_under_development(tmp_path, monkeypatch):
    write_lesson(tmp_path / "lessons" / "extra")
    monkeypatch.setenv("TUTOR_LESSONS_PATH", str(tmp_path / "lessons"))
    registry = Registry.from_plugins(make_plugin_manager())
    ids = [lesson.id for lesson in registry]
    assert ids[0] == "backprop" and "extra" in ids  # in map order among the built-ins
    assert [lesson.order for lesson in registry] == sorted(lesson.order for lesson in registry)
    assert registry.get("extra").plugin.startswith("lessons-path:")


def test_lessons_dir_option(tmp_path):
    write_lesson(tmp_path / "extra")
    registry = Registry.from_plugins(make_plugin_manager([tmp_path / "extra"]))
    assert registry.get("extra") is not None


class Installed:
    """A plugin registering a lesson folder, as an installed package's module does."""

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def tutor_register_lessons(self, register):
        register(Lesson.from_folder(self.folder))


def test_duplicate_lesson_id_names_both_plugins(tmp_path):
    pm = make_plugin_manager(entry_points=False)
    pm.register(Installed(write_lesson(tmp_path / "one", lesson_id="backprop")), name="pkg")
    registry = Registry.from_plugins(pm)
    (error,) = registry.errors
    assert isinstance(error, DuplicateLesson)
    assert "tutor_lessons.backprop" in str(error) and "pkg" in str(error)
    assert "the first is used" in str(error)
    assert registry.get("backprop").plugin == "tutor_lessons.backprop"


def test_two_development_folders_with_one_id_are_an_error(tmp_path):
    write_lesson(tmp_path / "a" / "extra")
    write_lesson(tmp_path / "b" / "extra")
    registry = Registry.from_plugins(make_plugin_manager([tmp_path / "a", tmp_path / "b"]))
    (error,) = registry.errors
    assert isinstance(error, DuplicateLesson) and str(tmp_path / "b" / "extra") in str(error)
    assert registry.get("extra").folder == tmp_path / "a" / "extra"


def test_a_development_folder_wins_over_the_installed_copy_and_says_so(tmp_path):
    installed = write_lesson(tmp_path / "site" / "extra", order=90)
    dev = write_lesson(tmp_path / "src" / "extra", order=91)
    pm = make_plugin_manager(entry_points=False)
    pm.register(Installed(installed), name="extra")  # before the folders, as entry points are
    pm.register(LessonFolder(dev), name=f"lessons-path:{dev}")
    registry = Registry.from_plugins(pm)
    assert not registry.errors
    lesson = registry.get("extra")
    assert lesson.folder == dev and lesson.order == 91
    assert lesson.plugin == f"lessons-path:{dev}"
    (notice,) = registry.notices
    assert f"using the development folder {dev}" in notice
    assert f"instead of the installed copy in {installed}" in notice
    assert "unset TUTOR_LESSONS_PATH or leave out --lessons-dir" in notice


def test_an_editable_install_named_again_is_one_lesson(tmp_path):
    folder = write_lesson(tmp_path / "src" / "extra")
    pm = make_plugin_manager(entry_points=False)
    pm.register(Installed(folder), name="extra")
    pm.register(LessonFolder(folder), name=f"lessons-path:{folder}")
    registry = Registry.from_plugins(pm)
    assert not registry.errors and not registry.notices
    assert registry.get("extra").plugin == "extra"


def test_a_folder_without_lesson_toml_says_what_belongs_there(tmp_path):
    (tmp_path / "pkg").mkdir()
    with pytest.raises(MissingFile, match="lesson.toml: not found: a lesson folder holds"):
        Lesson.from_folder(tmp_path / "pkg")


class FakeDistribution:
    def __init__(self, editable):
        self.metadata, self.version, self.editable = {"Name": "tutor-extra"}, "0.2.0", editable

    def read_text(self, name):
        return json.dumps({"dir_info": {"editable": self.editable}})


@pytest.mark.parametrize("editable", [False, True])
def test_an_installed_package_without_its_files_says_how_to_package_them(tmp_path, editable):
    pkg = tmp_path / "site" / "tutor_extra"
    pkg.mkdir(parents=True)
    pm = make_plugin_manager(entry_points=False, builtins=False)
    pm.register(Installed(pkg), name="extra")
    pm.distributions["extra"] = FakeDistribution(editable)
    (error,) = Registry.from_plugins(pm).errors
    assert "lesson.toml: not found" in str(error)
    advice = ("tutor-extra 0.2.0 was installed without it" in str(error)
              and f"tutor_extra = {PACKAGE_DATA}" in str(error))
    assert advice != editable  # an editable install reads the folder: nothing was left out


def test_a_missing_page_of_an_installed_package_gets_the_same_advice(tmp_path):
    folder = write_lesson(tmp_path / "site" / "tutor_extra", toml_extra='pages = ["pages/a.md"]')
    pm = make_plugin_manager(entry_points=False, builtins=False)
    pm.register(Installed(folder), name="extra")
    pm.distributions["extra"] = FakeDistribution(editable=False)
    (error,) = Registry.from_plugins(pm).errors
    assert "lesson.toml:5: page 'pages/a.md' does not exist" in str(error)
    assert "installed without it" in str(error)


def fake_distributions(monkeypatch, load):
    """importlib.metadata sees one package, whose tutor.lessons entry point runs ``load``."""

    class EntryPoint:
        group, name, value = ENTRY_POINT_GROUP, "extra", "tutor_extra"

        def load(self):
            return load()

    class Dist:
        metadata, version, entry_points = {"Name": "tutor-extra"}, "1.0", [EntryPoint()]

    monkeypatch.setattr(importlib.metadata, "distributions", lambda: [Dist()])
    monkeypatch.delenv(NO_AUTOLOAD_ENV, raising=False)


def test_a_package_that_cannot_be_imported_is_reported_not_raised(monkeypatch):
    def load():
        raise ImportError("No module named 'scipy'")

    fake_distributions(monkeypatch, load)
    registry = Registry.from_plugins(make_plugin_manager())
    (error,) = registry.errors
    assert "tutor_extra (entry point 'extra' of tutor-extra 1.0) cannot be imported" \
        in str(error)
    assert "No module named 'scipy'" in str(error)
    assert registry.get("backprop") is not None


@pytest.mark.parametrize("value, loaded", [("1", False), ("yes", False), ("0", True),
                                           ("", True)])
def test_autoload_can_be_turned_off(tmp_path, monkeypatch, value, loaded):
    folder = write_lesson(tmp_path / "extra")
    fake_distributions(monkeypatch, lambda: Installed(folder))
    monkeypatch.setenv(NO_AUTOLOAD_ENV, value)
    registry = Registry.from_plugins(make_plugin_manager())
    assert (registry.get("extra") is not None) == loaded
    assert registry.get("backprop") is not None


def test_a_broken_lesson_folder_does_not_hide_the_others(tmp_path):
    write_lesson(tmp_path / "lessons" / "good", lesson_id="good")
    bad = write_lesson(tmp_path / "lessons" / "bad", lesson_id="bad")
    (bad / "lesson.toml").write_bytes(b"format = 1\nid = \"bad\"\ntitle = \"\xff\"\n")
    registry = Registry.from_plugins(make_plugin_manager([tmp_path / "lessons"]))
    assert registry.get("good") and registry.get("backprop") and not registry.get("bad")
    (error,) = registry.errors
    assert "not UTF-8" in str(error) and "bad" in str(error)


def test_registering_something_else_is_an_error():
    class Bad:
        @hookimpl
        def tutor_register_lessons(self, register):
            register("backprop")

    pm = make_plugin_manager(entry_points=False, builtins=False)
    pm.register(Bad(), name="bad")
    with pytest.raises(TypeError, match="not a tutor.Lesson"):
        Registry.from_plugins(pm)


@pytest.mark.parametrize("extra, line, message", [
    ('pages = ["nope.md"]', 5, "page 'nope.md' does not exist"),
    ('colour = "blue"', 5, "unknown key 'colour'"),
    ('[[exercises]]\nname = "f"\nsignature = "g(x)"\nreturns = ["out"]\nhints = []', 7,
     "signature names 'g'"),
    ('[[exercises]]\nname = "f"\nsignature = "f(x)"\nhints = []', 5, "missing required key"),
    ('title = ', 5, "not valid TOML"),
])
def test_bad_lesson_toml_names_file_and_line(tmp_path, extra, line, message):
    folder = write_lesson(tmp_path / "bad", toml_extra=extra.replace("\n", "\n        "))
    with pytest.raises(CatalogError) as info:
        Lesson.from_folder(folder)
    assert f"lesson.toml:{line}:" in str(info.value) or "lesson.toml:" in str(info.value)
    assert message in str(info.value)
    if "not valid" not in message:
        assert info.value.line == line, str(info.value)


def test_newer_format_is_refused_with_advice(tmp_path):
    folder = tmp_path / "future"
    folder.mkdir()
    (folder / "lesson.toml").write_text('format = 2\nid = "x"\ntitle = "x"\n')
    with pytest.raises(CatalogError, match="upgrade tutor"):
        Lesson.from_folder(folder)


def test_gradient_declaration_must_name_real_exercises_and_inputs(tmp_path):
    exercise = textwrap.dedent("""\
        [[exercises]]
        name = "f_backward"
        signature = "f_backward(dout, x)"
        returns = ["dx"]
        hints = []

        [exercises.gradient]
        of = "{of}"
        wrt = {{ dx = "{param}" }}

        [[exercises]]
        name = "f"
        signature = "f(x)"
        returns = ["out"]
        hints = []
    """)
    for of, param, message in [("g", "x", "not an exercise"), ("f", "z", "not an input")]:
        folder = write_lesson(tmp_path / f"{of}{param}", toml_extra="")
        with open(folder / "lesson.toml", "a") as f:
            f.write(exercise.format(of=of, param=param))
        with pytest.raises(CatalogError, match=message):
            Lesson.from_folder(folder)


@pytest.mark.parametrize("value", ["nan", "inf", "-1.0", "0.0"])
def test_a_tolerance_must_be_a_sensible_number(tmp_path, value):
    folder = write_lesson(tmp_path / "t", toml_extra=(
        f'[[exercises]]\nname = "f"\nsignature = "f(x)"\nreturns = ["out"]\nhints = []\n'
        f'tolerance = {value}').replace("\n", "\n        "))
    with pytest.raises(CatalogError, match="'tolerance' must be a number"):
        Lesson.from_folder(folder)


def test_an_array_of_non_tables_is_a_clear_error(tmp_path):
    folder = write_lesson(tmp_path / "t", toml_extra="exercises = [1, 2]")
    with pytest.raises(CatalogError, match=r"\[\[exercises\]\] tables"):
        Lesson.from_folder(folder)
