"""Hook specifications: the whole plugin surface of tutor, and nothing else.

A plugin implements any of these with ``@tutor.hookimpl``. Every hook receives a
``register`` callable, so one plugin can contribute several things and the host decides
how they are stored; hooks for new kinds of contribution follow the same shape.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .classroom.exporters import Exporter
    from .lesson import Lesson

hookspec = pluggy.HookspecMarker("tutor")


@hookspec
def tutor_register_lessons(register: "Callable[[Lesson], None]") -> None:
    """Register lessons.

    Fires once, when the lesson registry is built (every ``tutor`` command that needs
    lessons). ``register`` takes one :class:`tutor.Lesson`, usually made with
    ``Lesson.from_folder(path)``; call it once per lesson. A lesson id registered twice
    is an error naming both plugins. Returns nothing.
    """


@hookspec
def tutor_register_exporters(register: "Callable[[Exporter], None]") -> None:
    """Register exporters: formats ``tutor grade`` writes a class's results in.

    Fires once per ``tutor grade`` (and ``tutor export``), before any output is written.
    ``register`` takes one exporter: an object with ``name`` (lowercase, e.g. ``"junit"``),
    ``description`` (one line) and ``write(gradebook, out) -> list[Path]``, which writes into
    the out folder from a :class:`tutor.classroom.results.Gradebook`; an exporter may also
    have ``package(lesson, assignment, dest) -> Path``, which ``tutor export NAME`` calls.
    Call it once per exporter. A name registered twice keeps the first and reports the
    second. Returns nothing.
    """
