"""The results panel: one row per check (verdict, relative error, diagnosis) and, below,
the details of the highlighted check (what is wrong and where: the heat map of a wrong
gradient) and the hints shown so far. The details scroll; nothing in them is clipped."""

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalGroup, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ...grader import Check, ExerciseResult
from ...report import heatmap

# The verdict first and the (long) case name last: a narrow pane cuts the name, which the
# details below repeat, never the verdict.
COLUMNS = ("verdict", "rel. error", "diagnosis", "check")


def error_text(check: Check) -> Text:
    if check.rel_error is None:
        return Text("–", style="dim")
    return Text(f"{check.rel_error:.1e}", style="green" if check.passed else "red")


def summary_text(result: ExerciseResult) -> Text:
    """The verdict line: what the exercise got, and the first thing wrong."""
    if result.passed:
        text = Text("✓ pass", style="bold green")
        text.append(f"  {result.exercise}: {result.message}")
    else:
        text = Text(f"✗ {result.verdict}", style="bold red")
        text.append(f"  {result.exercise}: {result.message.split(';')[0]}")
    return text


class Results(Vertical):
    """Shows an ExerciseResult; `show_busy` while a grade runs."""

    DEFAULT_CSS = """
    Results { height: 1fr; }
    Results > #summary { height: auto; max-height: 3; padding: 0 1; }
    Results > DataTable { height: auto; max-height: 10; }
    Results > #about { height: 1fr; padding: 0 1; }
    Results #hints > Static { margin-bottom: 1; }
    Results #check-detail { height: auto; }
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.result: ExerciseResult | None = None
        self.hints: list[Static] = []

    def compose(self) -> ComposeResult:
        yield Static("Save (ctrl+s) to grade this exercise.", id="summary")
        table: DataTable[Text | str] = DataTable(cursor_type="row", id="checks")
        table.add_columns(*COLUMNS)
        table.display = False
        yield table
        with VerticalScroll(id="about"):
            yield Static(id="check-detail")
            yield VerticalGroup(id="hints")

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#checks", DataTable)

    def show_busy(self, what: str) -> None:
        self.query_one("#summary", Static).update(f"[yellow]⧗ {what}…[/]")

    def show_message(self, text: str | Text) -> None:
        """A line in place of the verdict (nothing graded yet, a broken lesson, ...)."""
        self.result = None
        self.query_one("#summary", Static).update(text)
        self.table.display = False
        self.query_one("#check-detail", Static).display = False

    def show(self, result: ExerciseResult, note: Text | None = None) -> None:
        self.result = result
        summary = summary_text(result)
        if note is not None:
            summary.append("\n")
            summary.append_text(note)
        self.query_one("#summary", Static).update(summary)
        table = self.table
        table.clear(columns=True)  # the columns fit this result, not the widest before
        table.add_columns(*COLUMNS)
        # What fails first (in case order), then what passes: no scrolling to find it.
        order = sorted(range(len(result.checks)), key=lambda i: result.checks[i].passed)
        for i in order:
            check = result.checks[i]
            verdict = Text(check.verdict, style="green" if check.passed else (
                "dim" if check.verdict == "skipped" else "red"))
            table.add_row(verdict, error_text(check), check.diagnosis or "", check.name,
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
            line = Text(f"{check.name}: ")
            if check.message:
                line.append(check.message)
            else:  # a pass says so, with its error
                line.append(check.verdict, style="green" if check.passed else "")
                if check.rel_error is not None:
                    line.append(f" (relative error {check.rel_error:.1e})")
            parts.append(line)
            if check.diagnosis_message:
                parts.append(Text("→ " + check.diagnosis_message, style="yellow"))
            if check.error_map:
                parts.append(heatmap(check.error_map))
        if result is not None:
            if result.passed:
                parts.append(Text("Every check passes. ctrl+o shows the reference beside "
                                  "yours, ctrl+n the next exercise.", style="green"))
            if not result.checks and result.message:
                parts.append(Text(result.message))  # the summary shows its first part only
            if result.consistency:
                parts.append(Text(result.consistency, style="yellow"))
            if result.traceback:
                parts.append(Text(result.traceback, style="dim"))
            if result.printed:
                text = result.printed.rstrip()
                parts.append(Text("your code printed: ", style="dim")
                             + Text(text[:600] + (" …" if len(text) > 600 else "")))
        detail = self.query_one("#check-detail", Static)
        detail.update(Group(*parts))
        detail.display = bool(parts)

    def set_hints(self, notes: list[RenderableType], reveal: int | None = None) -> None:
        """The hints shown so far (and what follows the last), one widget each; with
        ``reveal``, that one is scrolled into view from its top once it is laid out."""
        box = self.query_one("#hints", VerticalGroup)
        # Reuse the widgets there: only new ones are mounted (and waited for).
        while len(self.hints) > len(notes):
            self.hints.pop().remove()
        for widget, note in zip(self.hints, notes, strict=False):
            widget.update(note)
        new = [Static(note) for note in notes[len(self.hints):]]
        self.hints.extend(new)
        mounted = box.mount_all(new) if new else None
        if reveal is not None:
            self.run_worker(self._reveal(mounted, self.hints[reveal]), group="reveal",
                            exclusive=True)

    async def _reveal(self, mounted: Any, widget: Widget) -> None:
        if mounted is not None:
            await mounted
        about = self.query_one("#about", VerticalScroll)
        self.call_after_refresh(about.scroll_to_widget, widget, animate=False, top=True)
