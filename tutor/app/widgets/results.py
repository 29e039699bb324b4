"""The results panel: one row per check (verdict, relative error, diagnosis) and, for the
highlighted check, what is wrong and where (the heat map of a wrong gradient)."""

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from ...grader import Check, ExerciseResult
from ...report import heatmap


def error_text(check: Check) -> Text:
    if check.rel_error is None:
        return Text("–", style="dim")
    return Text(f"{check.rel_error:.1e}", style="green" if check.passed else "red")


class Results(Vertical):
    """Shows an ExerciseResult; `show_busy` while a grade runs."""

    DEFAULT_CSS = """
    Results { height: 1fr; }
    Results > #summary { height: auto; padding: 0 1; }
    Results > DataTable { height: auto; max-height: 10; }
    Results > #about { height: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.result: ExerciseResult | None = None
        self.notes: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("Save (ctrl+s) to grade this exercise.", id="summary")
        table: DataTable[Text | str] = DataTable(cursor_type="row", id="checks")
        table.add_columns("check", "verdict", "rel. error", "diagnosis")
        table.display = False
        yield table
        with VerticalScroll(id="about"):
            yield Static(id="detail")

    def show_busy(self, what: str) -> None:
        self.query_one("#summary", Static).update(f"[yellow]⧗ {what}…[/]")

    def show_message(self, text: str) -> None:
        self.query_one("#summary", Static).update(text)

    def show(self, result: ExerciseResult) -> None:
        self.result = result
        summary = Text()
        if result.passed:
            summary.append("✓ pass", style="bold green")
            summary.append(f"  {result.exercise}: {result.message}")
        else:
            summary.append(f"✗ {result.verdict}", style="bold red")
            summary.append(f"  {result.exercise}: {result.message.split(';')[0]}")
        self.query_one("#summary", Static).update(summary)
        table = self.query_one("#checks", DataTable)
        table.clear()
        # What fails first (in case order), then what passes: no scrolling to find it.
        order = sorted(range(len(result.checks)), key=lambda i: result.checks[i].passed)
        for i in order:
            check = result.checks[i]
            verdict = Text(check.verdict, style="green" if check.passed else (
                "dim" if check.verdict == "skipped" else "red"))
            table.add_row(check.name, verdict, error_text(check), check.diagnosis or "",
                          key=str(i))
        table.display = bool(result.checks)
        if result.checks:
            table.move_cursor(row=0, scroll=False)
        self.show_detail(order[0] if order else 0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail(int(event.row_key.value or 0))

    def show_detail(self, index: int) -> None:
        result = self.result
        parts: list[Any] = []
        if result is not None and 0 <= index < len(result.checks):
            check = result.checks[index]
            if check.message:
                parts.append(Text(f"{check.name}: {check.message}"))
            if check.diagnosis_message:
                parts.append(Text("→ " + check.diagnosis_message, style="yellow"))
            if check.error_map:
                parts.append(heatmap(check.error_map))
        if result is not None:
            if result.consistency:
                parts.append(Text(result.consistency, style="yellow"))
            if result.traceback:
                parts.append(Text(result.traceback, style="dim"))
            if result.printed:
                text = result.printed.rstrip()
                parts.append(Text("your code printed: ", style="dim")
                             + Text(text[:600] + (" …" if len(text) > 600 else "")))
        parts.extend(self.notes)
        self.query_one("#detail", Static).update(Group(*parts))

    def set_notes(self, notes: list[Any]) -> None:
        """Extra lines under the detail (the hints shown so far)."""
        self.notes = notes
        table = self.query_one("#checks", DataTable)
        index = 0
        if table.row_count:
            index = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)
        self.show_detail(index)
