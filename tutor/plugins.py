"""The plugin manager and the lesson registry built from it."""

import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookimpl, hookspecs
from .lesson import Lesson
from .schema import CatalogError

ENTRY_POINT_GROUP = "tutor.lessons"
LESSONS_PATH_ENV = "TUTOR_LESSONS_PATH"

# The built-in plugins: lessons and exporters like any other, listed here because they ship
# with tutor.
DEFAULT_PLUGINS = (
    "tutor_lessons.backprop",
    "tutor_lessons.sgd",
    "tutor_lessons.clipping",
    "tutor_lessons.batchnorm",
    "tutor_lessons.cnn",
    "tutor_lessons.lstm",
    "tutor_lessons.gan",
    "tutor_lessons.attention",
    # The built-in exporters of `tutor grade`, registered the same way.
    "tutor.classroom.exporters.gradescope",
    "tutor.classroom.exporters.junit",
    "tutor.classroom.exporters.gradebook",
)


class LessonFolder:
    """A plugin that registers one lesson folder found on disk (TUTOR_LESSONS_PATH)."""

    def __init__(self, folder: Path):
        self.folder = folder

    @hookimpl
    def tutor_register_lessons(self, register):
        register(Lesson.from_folder(self.folder))


def lesson_folders(roots: Iterable[Path]) -> list[Path]:
    """Lesson folders: each root is a lesson folder or a folder of them (no duplicates)."""
    found: list[Path] = []
    for root in roots:
        root = Path(root).resolve()
        folders = [root] if (root / "lesson.toml").is_file() else sorted(
            p.parent for p in root.glob("*/lesson.toml"))
        found += [f for f in folders if f not in found]
    return found


def make_plugin_manager(lessons_dirs: Iterable[Path] = (), *, entry_points: bool = True,
                        builtins: bool = True) -> pluggy.PluginManager:
    """Specs, the built-in lessons, installed plugins, then folders under development."""
    import importlib

    pm = pluggy.PluginManager("tutor")
    pm.add_hookspecs(hookspecs)
    if builtins:
        for name in DEFAULT_PLUGINS:
            module: ModuleType = importlib.import_module(name)
            pm.register(module, name=name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    env = os.environ.get(LESSONS_PATH_ENV, "")
    roots = [*lessons_dirs, *(Path(p) for p in env.split(os.pathsep) if p)]
    for folder in lesson_folders(roots):
        pm.register(LessonFolder(folder), name=f"lessons-path:{folder}")
    pm.check_pending()
    return pm


class DuplicateLesson(CatalogError):
    pass


class Registry:
    """Every installed lesson, in map order, and the lessons that could not be loaded."""

    def __init__(self, lessons: Iterable[Lesson], errors: Iterable[CatalogError] = ()):
        self.lessons = sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))
        self.by_id = {lesson.id: lesson for lesson in self.lessons}
        self.errors = list(errors)

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> "Registry":
        """Call each plugin's hook in turn. A plugin whose lesson is broken is reported in
        ``errors`` and the others still load: one bad folder must not stop a learner."""
        found: dict[str, Lesson] = {}
        errors: list[CatalogError] = []
        for impl in pm.hook.tutor_register_lessons.get_hookimpls():  # registration order
            plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)

            def register(lesson: Lesson, _plugin: str = plugin_name) -> None:
                if not isinstance(lesson, Lesson):
                    raise TypeError(f"plugin {_plugin} registered {lesson!r}, not a tutor.Lesson")
                if lesson.id in found:
                    errors.append(DuplicateLesson(
                        lesson.folder / "lesson.toml", None,
                        f"lesson id {lesson.id!r} is registered by both "
                        f"{found[lesson.id].plugin} and {_plugin}"))
                    return
                lesson.plugin = _plugin
                found[lesson.id] = lesson

            try:
                impl.function(register)
            except CatalogError as e:
                errors.append(e)
        return cls(found.values(), errors)

    def get(self, lesson_id: str) -> Lesson | None:
        return self.by_id.get(lesson_id)

    def __iter__(self):
        return iter(self.lessons)

    def __len__(self) -> int:
        return len(self.lessons)


def load_registry(lessons_dirs: Iterable[Path] = ()) -> Registry:
    return Registry.from_plugins(make_plugin_manager(lessons_dirs))
