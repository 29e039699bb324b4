"""The app: finds or creates the workspace, opens the lesson map, owns the progress store."""

import contextlib
import sqlite3
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..plugins import Registry
from ..store import Store, StoreError
from ..workspace import MARKER, Workspace

if TYPE_CHECKING:  # these import NumPy: not before the first frame
    from ..grader import ExerciseResult
    from ..lesson import Lesson
    from ..sandbox.supervisor import Limits

DEFAULT_FOLDER = "tutor-workspace"


def find_workspace(cwd: Path) -> Workspace | None:
    """The workspace holding the current directory, else ./tutor-workspace if it is one."""
    found = Workspace.find(cwd)
    if found is None and (cwd / DEFAULT_FOLDER / MARKER).is_dir():
        found = Workspace((cwd / DEFAULT_FOLDER).resolve())
    return found


class TutorApp(App[None]):
    TITLE = "tutor"
    CSS_PATH = "tutor.tcss"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", key_display="f1"),
        # Not a priority binding: keys typed just before reach the editor first, so the
        # unsaved-changes check sees them.
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    def __init__(self, registry: Registry, workspace: Path | None = None,
                 cwd: Path | None = None):
        super().__init__()
        self.registry = registry
        self.cwd = (cwd or Path.cwd()).resolve()
        self.requested = workspace
        self.workspace: Workspace | None = None
        self.store: Store | None = None
        self._limits: Limits | None = None
        # The latest results of each lesson's file in this session, and the file's
        # signature when graded: an exercise reopened shows them while the file is the same.
        self.graded: dict[str, tuple[dict[str, ExerciseResult], tuple[int, int] | None]] = {}

    @property
    def limits(self) -> "Limits":
        """For grading the learner's code (made when first needed)."""
        if self._limits is None:
            from ..sandbox.supervisor import Limits

            self._limits = Limits()
        return self._limits

    @limits.setter
    def limits(self, limits: "Limits") -> None:
        self._limits = limits

    def on_mount(self) -> None:
        from .screens.welcome import WelcomeScreen

        self.stop_on_signals()

        requested = self.requested.expanduser().resolve() if self.requested else None
        if requested is not None:
            found = Workspace(requested) if (requested / MARKER).is_dir() else None
        else:
            found = find_workspace(self.cwd)
        if found is not None and self.open_workspace(found) is None:
            return
        proposed = requested or self.cwd / DEFAULT_FOLDER
        self.push_screen(WelcomeScreen(proposed, error=self.store_error if found else ""))

    store_error = ""

    def stop_on_signals(self) -> None:
        """SIGTERM or SIGHUP (a closed terminal) ends the app as quitting does, so the
        learner's process and the terminal are cleaned up on the way out."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.exit, None, 128 + signum)

    def show_notices(self) -> None:
        """The sandbox's one-line notices (the jail fell back, ...), each shown once."""
        from ..sandbox import jail

        for notice in jail.notices():
            self.notify(notice, severity="warning", timeout=10)

    def open_workspace(self, workspace: Workspace) -> str | None:
        """Open the workspace's progress and show the lesson map; the error, if it cannot."""
        from .screens.home import HomeScreen

        try:
            store = workspace.store()
            store.learner_id()
        except (StoreError, sqlite3.Error, OSError) as e:
            self.store_error = (f"The workspace in {workspace.root} cannot be used: {e}. "
                                "Fix or move aside its .tutor/progress.db (tutor never "
                                "deletes it), or create a workspace elsewhere.")
            return self.store_error
        self.workspace, self.store = workspace, store
        for lesson in self.registry:  # lessons installed since: add their files, never overwrite
            with contextlib.suppress(OSError):  # shown when the exercise is opened
                workspace.add_stub(lesson)
        self.sub_title = workspace.root.name
        if len(self.screen_stack) > 1:  # replacing the welcome screen
            self.switch_screen(HomeScreen())
        else:
            self.push_screen(HomeScreen())
        return None

    def remember(self, lesson: "Lesson", results: dict[str, "ExerciseResult"],
                 signature: tuple[int, int] | None) -> None:
        self.graded[lesson.id] = (dict(results), signature)

    def remembered(self, lesson: "Lesson",
                   signature: tuple[int, int] | None) -> dict[str, "ExerciseResult"]:
        """The results remembered for a lesson's file, if it has not changed since."""
        results, graded = self.graded.get(lesson.id, ({}, None))
        return dict(results) if signature is not None and graded == signature else {}

    # -- actions everywhere ---------------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit, but never lose an unsaved editor buffer without asking."""
        from .screens.confirm import ConfirmScreen
        from .screens.exercise import ExerciseScreen

        if isinstance(self.screen, ConfirmScreen):
            return  # already asking
        unsaved = [s for s in self.screen_stack if isinstance(s, ExerciseScreen) and s.unsaved]
        if not unsaved:
            self.exit()
            return

        def decide(choice: str | None) -> None:
            if choice == "save":
                for screen in unsaved:
                    if not screen.save():
                        return  # could not save: stay
                self.exit()
            elif choice == "discard":
                self.exit()

        self.push_screen(ConfirmScreen(
            "Your editor has unsaved changes.",
            [("save", "Save and quit"), ("discard", "Quit without saving"),
             ("cancel", "Cancel")]), decide)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette lists every action of the screen, then the app's own."""
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (not binding.description or binding.action in seen or not active.enabled
                    or not isinstance(active.node, Screen | App)):
                continue  # widgets' own keys (cursor movement, ...) would drown the list
            seen.add(binding.action)
            key = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(binding.description,
                                f"{binding.tooltip} ({key})" if binding.tooltip else key,
                                partial(self._run_binding, active.node, binding.action))
        for title, help_text, action in getattr(screen, "extra_commands", list)():
            yield SystemCommand(title, help_text, partial(self._run_binding, screen, action))
        yield from super().get_system_commands(screen)

    async def _run_binding(self, node, action: str) -> None:
        await self.run_action(action, node)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
