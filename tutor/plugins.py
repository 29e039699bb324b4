"""The plugin manager and the lesson registry built from it."""

import importlib.metadata
import json
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookimpl, hookspecs
from .lesson import Lesson
from .schema import CatalogError, LessonError, MissingFile

ENTRY_POINT_GROUP = "tutor.lessons"
LESSONS_PATH_ENV = "TUTOR_LESSONS_PATH"
# Set (to anything but "" or "0") to load no installed lesson packages: only the built-in
# lessons and the folders named by --lessons-dir or TUTOR_LESSONS_PATH. Like pytest's
# PYTEST_DISABLE_PLUGIN_AUTOLOAD; the project's own tests run with it.
NO_AUTOLOAD_ENV = "TUTOR_DISABLE_PLUGIN_AUTOLOAD"
PACKAGE_DATA = '["*.toml", "*.md", "pages/*.md", "mutants/*.py", "data/*"]'

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
    "tutor_lessons.kernels",
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


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, remembering which distribution gave each entry point and which
    entry points could not be imported (reported with the broken lessons, not raised)."""

    def __init__(self) -> None:
        super().__init__("tutor")
        self.distributions: dict[str, importlib.metadata.Distribution] = {}
        self.load_errors: list[LessonError] = []

    def load_lesson_packages(self) -> None:
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group != ENTRY_POINT_GROUP or self.has_plugin(ep.name):
                    continue
                where = f"{ep.value} (entry point {ep.name!r} of {_dist_name(dist)})"
                try:
                    plugin = ep.load()
                except Exception as e:  # one broken package must not stop the others
                    self.load_errors.append(LessonError(
                        f"{where} cannot be imported: {type(e).__name__}: {e}"))
                    continue
                self.register(plugin, name=ep.name)
                self.distributions[ep.name] = dist


def lesson_folders(roots: Iterable[Path]) -> list[Path]:
    """Lesson folders: each root is a lesson folder or a folder of them (no duplicates)."""
    found: list[Path] = []
    for root in roots:
        root = Path(root).resolve()
        folders = [root] if (root / "lesson.toml").is_file() else sorted(
            p.parent for p in root.glob("*/lesson.toml"))
        found += [f for f in folders if f not in found]
    return found


def autoload() -> bool:
    """Whether installed lesson packages are loaded (see NO_AUTOLOAD_ENV)."""
    return os.environ.get(NO_AUTOLOAD_ENV, "") in ("", "0")


def make_plugin_manager(lessons_dirs: Iterable[Path] = (), *, entry_points: bool = True,
                        builtins: bool = True) -> PluginManager:
    """Specs, the built-in lessons, installed plugins, then folders under development."""
    import importlib

    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    if builtins:
        for name in DEFAULT_PLUGINS:
            module: ModuleType = importlib.import_module(name)
            pm.register(module, name=name)
    if entry_points and autoload():
        pm.load_lesson_packages()
    env = os.environ.get(LESSONS_PATH_ENV, "")
    roots = [*lessons_dirs, *(Path(p) for p in env.split(os.pathsep) if p)]
    for folder in lesson_folders(roots):
        pm.register(LessonFolder(folder), name=f"lessons-path:{folder}")
    pm.check_pending()
    return pm


class DuplicateLesson(CatalogError):
    pass


class Registry:
    """Every installed lesson, in map order; the lessons that could not be loaded; and
    notices worth one line (a development folder used instead of an installed copy)."""

    def __init__(self, lessons: Iterable[Lesson], errors: Iterable[LessonError] = (),
                 notices: Iterable[str] = ()):
        self.lessons = sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))
        self.by_id = {lesson.id: lesson for lesson in self.lessons}
        self.errors = list(errors)
        self.notices = list(notices)

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> "Registry":
        """Call each plugin's hook in turn. A plugin whose lesson is broken is reported in
        ``errors`` and the others still load: one bad folder must not stop a learner.

        A lesson id given twice is an error, except that a development folder
        (--lessons-dir, TUTOR_LESSONS_PATH) wins over an installed copy: an author who
        names the folder they are editing expects to see their edits."""
        found: dict[str, Lesson] = {}
        errors: list[LessonError] = list(getattr(pm, "load_errors", []))
        notices: list[str] = []
        dev_ids: set[str] = set()  # ids registered from a development folder
        dists = getattr(pm, "distributions", {})
        for impl in pm.hook.tutor_register_lessons.get_hookimpls():  # registration order
            plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)
            is_dev = isinstance(impl.plugin, LessonFolder)

            def register(lesson: Lesson, _plugin: str = plugin_name, _dev: bool = is_dev) -> None:
                if not isinstance(lesson, Lesson):
                    raise TypeError(f"plugin {_plugin} registered {lesson!r}, not a tutor.Lesson")
                old = found.get(lesson.id)
                if old is not None and old.folder == lesson.folder:
                    return  # the same folder twice (an editable install named again)
                if old is not None and _dev and lesson.id not in dev_ids:
                    notices.append(_shadowed(lesson, old))
                elif old is not None:
                    errors.append(DuplicateLesson(
                        lesson.folder / "lesson.toml", None,
                        f"lesson id {lesson.id!r} is registered by both {old.plugin} "
                        f"({old.folder}) and {_plugin} ({lesson.folder}); the first is used. "
                        "Give one of them another id, or uninstall one."))
                    return
                lesson.plugin = _plugin
                found[lesson.id] = lesson
                if _dev:
                    dev_ids.add(lesson.id)

            try:
                impl.function(register)
            except MissingFile as e:
                dist = dists.get(plugin_name)
                errors.append(_not_packaged(e, dist) if dist and not _editable(dist) else e)
            except CatalogError as e:
                errors.append(e)
        return cls(found.values(), errors, notices)

    def get(self, lesson_id: str) -> Lesson | None:
        return self.by_id.get(lesson_id)

    def __iter__(self):
        return iter(self.lessons)

    def __len__(self) -> int:
        return len(self.lessons)


def _shadowed(dev: Lesson, installed: Lesson) -> str:
    return (f"lesson {dev.id!r}: using the development folder {dev.folder} "
            f"(--lessons-dir or {LESSONS_PATH_ENV}) instead of the installed copy in "
            f"{installed.folder} (plugin {installed.plugin}). To use the installed copy, "
            f"unset {LESSONS_PATH_ENV} or leave out --lessons-dir; to make the installed "
            "copy follow your edits, install it with `pip install -e DIR`.")


def _dist_name(dist: importlib.metadata.Distribution) -> str:
    return f"{dist.metadata['Name']} {dist.version}"


def _editable(dist: importlib.metadata.Distribution) -> bool:
    """Installed with ``pip install -e``: its files are read where the author edits them."""
    try:
        info = json.loads(dist.read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        return False
    return bool(info.get("dir_info", {}).get("editable"))


def _not_packaged(error: MissingFile, dist: importlib.metadata.Distribution) -> CatalogError:
    """A file the lesson needs is missing from an installed (non-editable) package: almost
    always package data that pyproject.toml does not list."""
    package = error.folder.name
    return CatalogError(error.path, error.line, (
        f"{error.reason}\n  The package {_dist_name(dist)} was installed without it: a "
        "package holds only the Python modules and the files its pyproject.toml lists as "
        "package data. Add\n"
        f"    [tool.setuptools.package-data]\n    {package} = {PACKAGE_DATA}\n"
        "  to its pyproject.toml and install it again (or use `pip install -e DIR` while "
        "you write the lesson). See docs/plugins.md, \"Packaging a lesson\"."))


def load_registry(lessons_dirs: Iterable[Path] = ()) -> Registry:
    return Registry.from_plugins(make_plugin_manager(lessons_dirs))
