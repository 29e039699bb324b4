"""Every exercise of a lesson with its status (latest verdict, attempts, hints): pick one."""

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ...lesson import Lesson
from .exercise import status_text

if TYPE_CHECKING:
    from ..app import TutorApp


class ExerciseListScreen(ModalScreen[int | None]):
    CSS_PATH = "exercises.tcss"
    BINDINGS = [Binding("escape,f2", "close", "Close")]

    def __init__(self, lesson: Lesson, current: int = 0):
        super().__init__()
        self.lesson, self.current = lesson, current

    def compose(self) -> ComposeResult:
        with Vertical(id="list"):
            yield Static(f"[b]{self.lesson.title}[/]: the exercises "
                         "[dim](enter opens one, escape closes)[/]", id="title")
            table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("", "exercise", "status", "attempts", "hints")
            yield table

    def on_mount(self) -> None:
        store = self.app_.store
        table = self.query_one(DataTable)
        for i, exercise in enumerate(self.lesson.exercises):
            status = store.exercise_status(exercise.id) if store else None
            mark = Text("▶" if i == self.current else " ", style="bold")
            table.add_row(mark, exercise.name, status_text(status),
                          str(status.attempts if status else 0),
                          f"{status.hints if status else 0}/{len(exercise.hints)}", key=str(i))
        table.move_cursor(row=self.current)
        table.focus()

    @property
    def app_(self) -> "TutorApp":
        return self.app  # type: ignore[return-value]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value or 0))

    def action_close(self) -> None:
        self.dismiss(None)
