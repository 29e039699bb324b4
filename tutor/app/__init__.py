"""The terminal app, `tutor start`. The only package that imports Textual; it reads and
records progress through the same core modules as the plain commands."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import TutorApp


def make_app(workspace: Path | None = None, lessons_dirs: Sequence[Path] = (),
             cwd: Path | None = None, jail: str = "auto") -> "TutorApp":
    """The app, for the `tutor start` command and for the tests alike.

    ``workspace`` overrides the search (the current directory or a parent, then
    ``./tutor-workspace``); when none is found the app offers to create one. ``jail`` is how
    the learner's code is confined while it is graded (see ``tutor check --jail``).
    """
    from ..plugins import load_registry
    from ..sandbox.supervisor import Limits
    from .app import TutorApp

    app = TutorApp(load_registry(lessons_dirs), workspace=workspace, cwd=cwd or Path.cwd())
    app.limits = Limits(jail=jail)
    return app
