"""A question with a few answers, as a modal dialog (unsaved changes, mostly)."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[str | None]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str]]):
        super().__init__()
        self.question, self.answers = question, answers

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="answers"):
                for i, (key, label) in enumerate(self.answers):
                    yield Button(label, id=key, variant="primary" if i == 0 else "default")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
