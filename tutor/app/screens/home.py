"""The lesson map: every installed lesson in order, its progress, and what to do next."""

import contextlib
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ...lesson import Lesson
from ...progress import LessonProgress, Step, continue_target, in_progress, lesson_progress
from ...schema import LessonError
from ..widgets.footer import KeysFooter

if TYPE_CHECKING:
    from ..app import TutorApp


def fraction(done: int, total: int | None) -> Text:
    if not total:
        return Text("–", style="dim")
    style = "green" if done == total else ("yellow" if done else "dim")
    return Text(f"{done}/{total}", style=style)


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("c", "continue", "Continue", show=False),  # the banner says so
        Binding("r", "read", "Read"),
        Binding("q", "quiz", "Quiz"),
        Binding("e", "code", "Code"),
        Binding("x", "experiment", "Experiment"),
        Binding("p", "progress", "Progress"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, LessonProgress] = {}
        self.target: Step | None = None

    @property
    def tutor(self) -> "TutorApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="continue")
        table: DataTable[Text | str] = DataTable(id="lessons", cursor_type="row",
                                                 zebra_stripes=True)
        table.add_column("", key="mark", width=1)
        table.add_column("lesson", key="title")
        table.add_column("read", key="read")
        table.add_column("quiz", key="quiz")
        table.add_column("code", key="code")
        table.add_column("needs", key="needs")
        yield table
        yield Static(id="detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        for error in self.tutor.registry.errors:  # the others still work
            self.notify(f"Skipped a broken lesson: {escape(str(error))}", severity="warning",
                        timeout=10)
        table = self.query_one(DataTable)
        for lesson in self.tutor.registry:  # drawn at once; the numbers follow
            table.add_row(Text(" "), lesson.title, *[Text("…", style="dim")] * 3,
                          ", ".join(lesson.requires) or "–", key=lesson.id)
        self.query_one("#continue", Static).update("[dim]Reading your progress…[/]")
        table.focus()
        self.call_after_refresh(self.load_quizzes)  # once the map is on screen

    @work(thread=True, exit_on_error=False, group="quizzes")
    def load_quizzes(self) -> None:
        """Read every lesson's quiz off the UI thread: the first time, that imports NumPy
        and the quizzes' modules, a few tenths of a second the map need not wait for."""
        for lesson in self.tutor.registry:
            with contextlib.suppress(LessonError):
                lesson.quiz  # noqa: B018 (a cached property: loaded here, used below)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self.first_progress)

    def first_progress(self) -> None:
        if not self.rows:
            self.refresh_progress()
            table = self.query_one(DataTable)
            if self.target is not None and table.cursor_row == 0:
                table.move_cursor(row=table.get_row_index(self.target.lesson))

    def ensure_progress(self) -> None:
        """Progress now, for a key pressed before it was read in the background."""
        if not self.rows:
            self.first_progress()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.refresh_progress()

    def refresh_progress(self) -> None:
        registry, store = self.tutor.registry, self.tutor.store
        lessons = list(registry)
        self.rows = {lesson.id: lesson_progress(lesson, store) for lesson in lessons}
        self.target = continue_target(self.rows.values(),
                                      {lesson.id: lesson.requires for lesson in lessons},
                                      in_progress(lessons, store))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for lesson in lessons:
            row = self.rows[lesson.id]
            mark = Text("✓", style="green") if row.done else (
                Text("▶", style="bold") if self.target and self.target.lesson == lesson.id
                else Text(" "))
            needs = ", ".join(lesson.requires) or "–"
            table.add_row(mark, lesson.title, fraction(row.pages_read, row.pages),
                          fraction(row.quiz_right, row.quiz_total),
                          fraction(row.passed, row.exercises), needs, key=lesson.id)
        if lessons:
            table.move_cursor(row=min(cursor, len(lessons) - 1))
        banner = self.query_one("#continue", Static)
        if not lessons:
            banner.update("No lessons are installed.")
        elif self.target is None:
            banner.update("[b green]Every lesson is done.[/] Revisit any of them below.")
        else:
            title = registry.get(self.target.lesson).title  # type: ignore[union-attr]
            banner.update(f"[b]Continue:[/] {escape(title)} — {escape(self.target.label)}  "
                          "[dim](press c)[/]")
        self.show_detail()

    # -- the highlighted lesson -----------------------------------------------------------

    def current(self) -> Lesson | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.tutor.registry.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def show_detail(self) -> None:
        lesson = self.current()
        detail = self.query_one("#detail", Static)
        if lesson is None or lesson.id not in self.rows:
            detail.update("")
            return
        row = self.rows[lesson.id]
        done = {r.lesson for r in self.rows.values() if r.done}
        text = Text.from_markup(f"[b]{lesson.title}[/]  [dim]{lesson.id}[/]\n")
        text.append(lesson.summary + "\n")
        if lesson.requires:
            text.append("Needs: ")
            for i, req in enumerate(lesson.requires):
                text.append(", " if i else "")
                text.append(f"{req} {'✓' if req in done else '(not done yet)'}",
                            style="green" if req in done else "yellow")
            text.append("\n")
        text.append("Next: ", style="bold")
        text.append("all done" if row.done else row.next.label)
        detail.update(text)

    # -- actions --------------------------------------------------------------------------

    def open_step(self, step: Step) -> None:
        lesson = self.tutor.registry.get(step.lesson)
        if lesson is None:
            return
        if step.kind == "quiz":
            from .quiz import QuizScreen

            right = self.rows[lesson.id].quiz_right
            self.app.push_screen(QuizScreen(lesson, retry=right > 0))
        elif step.kind == "exercise":
            self.action_code(lesson, step.index)
        else:
            self.action_read(lesson, step.index if step.kind == "read" else None)

    def action_open(self) -> None:
        self.ensure_progress()
        lesson = self.current()
        if lesson is not None:
            self.open_step(self.rows[lesson.id].next)

    def action_continue(self) -> None:
        self.ensure_progress()
        if self.target is not None:
            self.open_step(self.target)

    def action_read(self, lesson: Lesson | None = None, page: int | None = None) -> None:
        from .reader import ReaderScreen

        lesson = lesson or self.current()
        if lesson is None:
            return
        if not lesson.pages:
            self.notify(f"{escape(lesson.title)} has no pages to read.")
            return
        self.app.push_screen(ReaderScreen(lesson, page))

    def action_quiz(self, lesson: Lesson | None = None) -> None:
        from .quiz import QuizScreen

        lesson = lesson or self.current()
        if lesson is not None:
            self.app.push_screen(QuizScreen(lesson))

    def action_code(self, lesson: Lesson | None = None, index: int | None = None) -> None:
        from .exercise import ExerciseScreen

        lesson = lesson or self.current()
        if lesson is None:
            return
        if not lesson.exercises:
            self.notify(f"{escape(lesson.title)} has no exercises.")
            return
        if index is None:  # the one in progress, else the first not passing
            store = self.tutor.store
            working = in_progress([lesson], store)
            index = working.index if working else next(
                (i for i, e in enumerate(lesson.exercises)
                 if store and not store.exercise_status(e.id).passed), 0)
        self.app.push_screen(ExerciseScreen(lesson, index))

    def action_experiment(self) -> None:
        from .experiment import ExperimentScreen

        lesson = self.current()
        if lesson is None:
            return
        if not lesson.has_module("experiment"):
            self.notify(f"{escape(lesson.title)} has no experiment.")
            return
        self.app.push_screen(ExperimentScreen(lesson))

    def action_progress(self) -> None:
        from .progress import ProgressScreen

        self.app.push_screen(ProgressScreen())
