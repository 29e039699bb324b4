"""First run: one short welcome, and where to keep the learner's files."""

from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static

from ...store import StoreError
from ...workspace import Workspace
from ..widgets.footer import KeysFooter

if TYPE_CHECKING:
    from ..app import TutorApp

WELCOME = """\
[b]Welcome to tutor.[/b] You will learn how deep learning works inside: read a lesson, \
answer its quiz, then write each layer's forward and backward pass in NumPy. \
tutor grades your code against reference gradients and tells you exactly what is wrong.

Your code and progress live in a [b]workspace[/b] folder: one file per lesson (yours to \
edit, in here or in your own editor) and a small progress file.\
"""


class WelcomeScreen(Screen[None]):
    CSS_PATH = "welcome.tcss"
    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, proposed: Path, error: str = ""):
        super().__init__()
        self.proposed, self.error = proposed, error

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome"):
            yield Static(WELCOME, id="intro")
            yield Static("Create the workspace here (edit the path if you like):",
                         classes="label")
            yield Input(str(self.proposed), id="path")
            yield Static(self.error, id="error")
            with Horizontal(id="buttons"):
                yield Button("Create workspace", variant="primary", id="create")
                yield Button("Quit", id="quit")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.create()
        else:
            self.app.exit()

    def create(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.show_error("Give a folder for the workspace.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.tutor.cwd / path
        if path.exists() and not path.is_dir():
            self.show_error(f"{path} is a file, not a folder.")
            return
        try:
            workspace = Workspace.create(path)
        except (OSError, StoreError) as e:
            self.show_error(f"Cannot create a workspace there: {e}")
            return
        error = self.tutor.open_workspace(workspace)
        if error:
            self.show_error(error)

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(f"[red]{escape(message)}[/]")

    @property
    def tutor(self) -> "TutorApp":
        return self.app  # type: ignore[return-value]
