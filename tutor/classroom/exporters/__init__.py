"""Exporters: plugins that write a class's results in a format other tools read.

An exporter is any object with a ``name``, a one-line ``description`` and a
``write(gradebook, out)`` method; it may also have ``package(lesson, assignment, dest)``,
which ``tutor export NAME`` calls (the Gradescope exporter writes its autograder zip). Plugins
register them through the ``tutor_register_exporters`` hook; tutor's own three (gradescope,
junit, csv) are registered exactly the same way.
"""

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy

if TYPE_CHECKING:
    from ...lesson import Lesson
    from ..assignment import Assignment
    from ..results import Gradebook


@runtime_checkable
class Exporter(Protocol):
    """What ``register`` accepts."""

    name: str
    description: str

    def write(self, gradebook: "Gradebook", out: Path) -> list[Path]:
        """Write this format into the out folder; return the paths written."""


@runtime_checkable
class Packager(Protocol):
    def package(self, lesson: "Lesson", assignment: "Assignment", dest: Path) -> Path:
        """Write what ``tutor export NAME`` makes (e.g. an autograder zip) to ``dest``."""


class ExporterError(ValueError):
    """A plugin registered something that is not a usable exporter, or a name twice."""


class Exporters:
    """Every registered exporter by name, in registration order, and what went wrong."""

    def __init__(self) -> None:
        self.by_name: dict[str, Any] = {}
        self.plugins: dict[str, str] = {}
        self.errors: list[ExporterError] = []

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> "Exporters":
        found = cls()
        for impl in pm.hook.tutor_register_exporters.get_hookimpls():  # registration order
            plugin = pm.get_name(impl.plugin) or repr(impl.plugin)

            def register(exporter: Any, _plugin: str = plugin) -> None:
                found.add(exporter, _plugin)

            try:
                impl.function(register)
            except ExporterError as e:
                found.errors.append(e)
        return found

    def add(self, exporter: Any, plugin: str) -> None:
        name = getattr(exporter, "name", None)
        if not (isinstance(exporter, Exporter) and isinstance(name, str)
                and re.fullmatch(r"[a-z][a-z0-9_-]*", name)
                and isinstance(getattr(exporter, "description", None), str)):
            raise ExporterError(f"plugin {plugin} registered {exporter!r}, which is not an "
                                "exporter (it needs a lowercase name, a description and a "
                                "write(gradebook, out) method)")
        if name in self.by_name:
            self.errors.append(ExporterError(
                f"exporter {name!r} is registered by both {self.plugins[name]} and {plugin}; "
                f"the one from {self.plugins[name]} is used"))
            return
        self.by_name[name] = exporter
        self.plugins[name] = plugin

    def __iter__(self):
        return iter(self.by_name.values())

    def get(self, name: str) -> Any:
        return self.by_name.get(name)

    def packagers(self) -> list[str]:
        return [name for name, e in self.by_name.items() if isinstance(e, Packager)]


def load_exporters(lessons_dirs: Any = ()) -> Exporters:
    from ...plugins import make_plugin_manager

    return Exporters.from_plugins(make_plugin_manager(lessons_dirs))
