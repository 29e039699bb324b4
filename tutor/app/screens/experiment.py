"""The lesson's experiment, live: with the learner's own functions once they all pass."""

from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from ... import experiment
from ...lesson import Lesson
from ...schema import LessonError
from ..messages import ExperimentEnded, Frame
from ..widgets.footer import KeysFooter
from .base import LessonScreen


class ExperimentScreen(LessonScreen):
    CSS_PATH = "experiment.tcss"
    BINDINGS = [Binding("ctrl+r", "run", "Run again")]

    def __init__(self, lesson: Lesson):
        super().__init__(lesson)
        self.setup: experiment.Setup | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="where")
        yield Input(id="params", placeholder="key=value … (enter runs)")
        with VerticalScroll(id="view"):
            yield Static("[dim]starting… (the first run compiles the lesson's kernels)[/]",
                         id="frame")
        yield Static(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        try:
            defaults = dict(getattr(self.lesson.module("experiment"), "PARAMS", {}))
        except LessonError as e:
            self.query_one("#status", Static).update(f"[red]{escape(str(e))}[/]")
            return
        self.query_one("#params", Input).value = " ".join(f"{k}={v}"
                                                          for k, v in defaults.items())
        self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def action_run(self) -> None:
        status = self.query_one("#status", Static)
        try:
            params = experiment.parse_params(self.lesson, tuple(
                self.query_one("#params", Input).value.split()))
        except (ValueError, LessonError) as e:
            status.update(f"[red]{escape(str(e))}[/]")
            return
        self.stop()
        workspace, store = self.tutor.workspace, self.tutor.store
        self.setup = experiment.setup(
            self.lesson, workspace.solution_path(self.lesson) if workspace else None, store,
            limits=self.tutor.limits)
        title = getattr(self.lesson.module("experiment"), "TITLE", self.lesson.title)
        self.query_one("#where", Static).update(
            f"[b]{escape(str(title))}[/] — with {self.setup.who} "
            f"[dim]({escape(self.setup.reason)})[/]")
        status.update("[yellow]⧗ running…[/]")
        self.query_one("#frame", Static).update("")  # never the last run's picture
        self.run_frames(self.setup, params)

    @work(thread=True, exclusive=True, exit_on_error=False, group="experiment")
    def run_frames(self, setup: experiment.Setup, params: dict[str, Any]) -> None:
        worker = get_current_worker()
        try:
            self.frames(worker, setup, params)
        finally:
            setup.close()

    def frames(self, worker: Any, setup: experiment.Setup, params: dict[str, Any]) -> None:
        try:
            frames = 0
            for frame in experiment.frames(self.lesson, setup.ops, params):
                if worker.is_cancelled:
                    return
                self.post_message(Frame(frame))
                frames += 1
        except experiment.LearnerError as e:
            self.post_message(ExperimentEnded(f"the experiment stopped: {e}"))
            return
        except Exception as e:  # the lesson's code, or unusable values from the learner's
            if not worker.is_cancelled:
                self.post_message(ExperimentEnded(f"the experiment failed: "
                                                  f"{type(e).__name__}: {e}"))
            return
        if not worker.is_cancelled:
            self.post_message(ExperimentEnded(frames=frames))

    def on_frame(self, message: Frame) -> None:
        self.query_one("#frame", Static).update(message.renderable)

    def on_experiment_ended(self, message: ExperimentEnded) -> None:
        status = self.query_one("#status", Static)
        if message.error:
            status.update(f"[red]{escape(message.error)}[/]")
        elif not message.frames:
            status.update("[yellow]Nothing to show with these parameters.[/]")
        else:
            status.update("[green]done.[/] Change the parameters above and press enter to "
                          "run again.")

    def stop(self) -> None:
        """Stop a run: its worker closes the learner's process when it notices."""
        self.workers.cancel_group(self, "experiment")
        if self.setup is not None and self.setup.sandbox is not None:
            self.setup.sandbox.interrupt()  # a call into the learner's process ends at once
        self.setup = None

    def on_unmount(self) -> None:
        super().on_unmount()
        self.stop()
