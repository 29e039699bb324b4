"""Progress across lessons: read, quiz, exercises, attempts, hints and time spent."""

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ...progress import duration, lesson_progress
from ..widgets.footer import KeysFooter
from .home import fraction

if TYPE_CHECKING:
    from ..app import TutorApp


class ProgressScreen(Screen[None]):
    CSS_PATH = "progress.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="totals")
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True)
        for column in ("lesson", "read", "quiz", "code", "attempts", "hints", "time"):
            table.add_column(column, key=column)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        app: TutorApp = self.app  # type: ignore[assignment]
        rows = [lesson_progress(lesson, app.store) for lesson in app.registry]
        table = self.query_one(DataTable)
        for row in rows:
            table.add_row(Text(row.lesson, style="green" if row.done else ""),
                          fraction(row.pages_read, row.pages),
                          fraction(row.quiz_right, row.quiz_total),
                          fraction(row.passed, row.exercises), str(row.attempts),
                          str(row.hints), duration(row.seconds), key=row.lesson)
        done = sum(r.done for r in rows)
        passed, total = sum(r.passed for r in rows), sum(r.exercises for r in rows)
        self.query_one("#totals", Static).update(
            f"[b]{done} of {len(rows)} lessons done[/] · {passed} of {total} exercises "
            f"passed · {sum(r.attempts for r in rows)} attempts · "
            f"{sum(r.hints for r in rows)} hint(s) · "
            f"{duration(sum(r.seconds for r in rows))} spent")
        table.focus()
