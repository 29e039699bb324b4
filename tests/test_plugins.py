"""The plugin surface: hooks, registration, discovery, and errors that say where."""

import inspect
import textwrap

import pluggy
import pytest
from conftest import REPO

from tutor import Lesson, hookimpl, hookspecs
from tutor.plugins import DuplicateLesson, Registry, make_plugin_manager
from tutor.schema import CatalogError

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


def test_duplicate_lesson_id_names_both_plugins(tmp_path):
    write_lesson(tmp_path / "again", lesson_id="backprop")
    registry = Registry.from_plugins(make_plugin_manager([tmp_path / "again"]))
    (error,) = registry.errors
    assert isinstance(error, DuplicateLesson)
    assert "tutor_lessons.backprop and lessons-path:" in str(error)
    assert registry.get("backprop").plugin == "tutor_lessons.backprop"


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
