"""The exercise: the learner's file in an editor, graded on every save (here, or from their
own editor: the file is watched), with the results, hints and, once passed, the reference."""

import time
from pathlib import Path

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.worker import get_current_worker

from ...grader import ExerciseResult
from ...lesson import Exercise, Lesson
from ...live import LiveGrader
from ...progress import OPEN, record_results
from ...schema import LessonError
from ...store import ExerciseStatus
from ...workspace import file_signature, write_learner_file
from ..messages import FileChanged, Graded, GradeFailed
from ..widgets.editor import CodeEditor
from ..widgets.footer import KeysFooter
from ..widgets.results import Results
from .base import LessonScreen
from .solution import function_source


def changed_exercises(lesson: Lesson, old: str, new: str) -> list[Exercise]:
    """The exercises whose function text differs between two versions of the file."""
    return [e for e in lesson.exercises
            if function_source(old, e.name) != function_source(new, e.name)]


def status_text(status: ExerciseStatus | None) -> Text:
    """An exercise's status: its latest verdict, and whether it passed before."""
    if status is None or status.last_verdict is None:
        return Text("not tried", style="dim")
    if status.passed:
        return Text("✓ passed", style="green")
    text = Text(f"✗ {status.last_verdict}", style="red")
    if status.passed_before:
        text.append(" (passed before)", style="yellow")
    return text


def ago(seconds: float) -> str:
    """How long ago, roughly: just now, 5 min ago, 3 h ago, 2 days ago."""
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if unit == 'day' and n > 1 else ''} ago"
    return "just now"


class ExerciseScreen(LessonScreen, inherit_bindings=False):  # the footer's order is below
    CSS_PATH = "exercise.tcss"
    # Side by side only where both halves stay readable; stacked below that.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    # The footer shows these in order until it is full: the essential ones first. Every one
    # is in the help (f1) and the command palette (ctrl+p).
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save and grade the function the cursor "
                "is in"),
        Binding("ctrl+t", "hint", "Hint", tooltip="Show the next hint"),
        Binding("ctrl+f", "next_pane", "Pane", tooltip="Focus the next pane: editor, "
                "checks, details"),
        Binding("ctrl+l", "zoom", "Zoom", tooltip="Give the focused pane the whole screen "
                "(again: back)"),
        Binding("f1", "app.help", "Help", tooltip="Keys and how tutor works"),
        Binding("escape", "back", "Back"),  # the editor lets escape through
        Binding("ctrl+n", "move(1)", "Next", tooltip="Next exercise"),
        Binding("ctrl+b", "move(-1)", "Prev", tooltip="Previous exercise"),
        Binding("f2", "exercises", "List", tooltip="Every exercise of the lesson, with its "
                "status"),
        Binding("ctrl+g", "grade_all", "Grade all", tooltip="Save and grade every "
                "exercise of the lesson"),
        Binding("ctrl+r", "rerun", "Re-run", tooltip="Grade the file as it is on disk"),
        Binding("ctrl+o", "reference", "Reference", tooltip="The reference solution "
                "beside yours (once passed)"),
        Binding("tab", "app.focus_next", show=False),  # as every screen (not in the editor)
        Binding("shift+tab", "app.focus_previous", show=False),
    ]
    BIG = 3000  # lines: above this the editor does not highlight (it would crawl)

    def __init__(self, lesson: Lesson, index: int = 0):
        super().__init__(lesson)
        self.index = max(0, min(index, len(lesson.exercises) - 1))
        self.path: Path = Path()
        self.saved_text: str | None = None  # what the file holds, as far as we know
        self.signature: tuple[int, int] | None = None  # the file's, when loaded or saved
        self.live: LiveGrader | None = None
        self.last: dict[str, ExerciseResult] = {}  # the latest result of each exercise
        # The file changed on disk while this editor had unsaved edits: the disk's text
        # (None when it is not readable text), until the learner picks which to keep.
        self.conflict: str | None = None
        self.in_conflict = False
        self.zoomed: str | None = None  # "editor" or "results": the pane given the screen

    @property
    def exercise(self) -> Exercise:
        return self.lesson.exercises[self.index]

    @property
    def unsaved(self) -> bool:
        return self.saved_text is not None and self.editor.text != self.saved_text

    @property
    def editor(self) -> CodeEditor:
        return self.query_one("#editor", CodeEditor)

    @property
    def results(self) -> Results:
        return self.query_one(Results)

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        with Vertical(id="conflict"):
            yield Static(id="conflict-text")
            with Horizontal(id="conflict-actions"):
                yield Button("Load the disk version", id="take-disk", compact=True)
                yield Button("Keep mine (save over it)", id="keep-mine", compact=True)
        with Container(id="work"):
            yield CodeEditor(id="editor")
            yield Results(id="results")
        yield KeysFooter()

    def on_mount(self) -> None:
        workspace = self.tutor.workspace
        assert workspace is not None
        self.path = workspace.solution_path(self.lesson)
        self.query_one("#conflict").display = False
        try:
            workspace.add_stub(self.lesson)  # never overwrites
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.editor.read_only = True
            self.results.show_message(Text.from_markup(
                f"[red]Cannot open {escape(self.path.name)}: {escape(str(e))}[/]\n"
                "Fix the file (or move it away) and come back: tutor never overwrites it."))
            self.show_where()
            return
        self.saved_text, self.signature = text, file_signature(self.path)
        if text.count("\n") > self.BIG:
            self.editor.language = None
            self.notify(f"{escape(self.path.name)} is long: shown without highlighting.")
        self.editor.load_text(text)
        self.last = self.tutor.remembered(self.lesson, self.signature)
        self.jump_to(self.exercise.name)
        self.editor.focus()
        self.live = LiveGrader(self.lesson, self.path, self.tutor.limits)
        self.warm()
        self.watch_file()
        self.show_where()
        self.show_hints(record=False)
        self.show_result()
        self.remember_place()

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.live is not None:
            self.live.close()

    def remember_place(self) -> None:
        """Record which exercise is open (each time it changes): "continue" comes back to
        it, after a restart too."""
        store = self.tutor.store
        if store is not None and self.saved_text is not None:
            store.record_event(OPEN, self.lesson.id, {"exercise": self.exercise.name})

    # -- header and navigation ------------------------------------------------------------

    def status(self) -> ExerciseStatus | None:
        store = self.tutor.store
        return store.exercise_status(self.exercise.id) if store else None

    def show_where(self) -> None:
        text = Text.from_markup(f"[b]{self.lesson.id}.{self.exercise.name}[/] · "
                                f"{self.index + 1} of {len(self.lesson.exercises)} · ")
        text.append_text(status_text(self.status()))
        if self.in_conflict:  # before the file's name: what a narrow screen keeps
            text.append(" ⚠ changed on disk", style="bold yellow")
        elif self.unsaved:
            text.append(" ● modified", style="yellow")
        text.append(f" · {self.path.name}", style="dim")
        self.query_one("#where", Static).update(text)

    def on_text_area_changed(self, event: CodeEditor.Changed) -> None:
        self.show_where()

    def jump_to(self, name: str) -> None:
        """Put the cursor on the line that defines ``name``, and that line at the top of the
        editor (its docstring and body below it), once the editor is laid out."""
        for row, line in enumerate(self.editor.text.splitlines()):
            if line.startswith(f"def {name}("):
                self.editor.move_cursor((row, 0))
                self.call_after_refresh(self.show_line_at_top, row)
                return

    def show_line_at_top(self, row: int) -> None:
        editor = self.editor
        if editor.cursor_location[0] == row:  # not moved since
            y = editor.wrapped_document.location_to_offset((row, 0)).y
            editor.scroll_to(y=max(0, y - 1), animate=False)  # one line of context above

    def on_text_area_selection_changed(self, event: CodeEditor.SelectionChanged) -> None:
        """The exercise is the function the cursor is in."""
        lines = self.editor.text.splitlines()
        row = min(event.selection.end[0], len(lines) - 1)
        names = {e.name: i for i, e in enumerate(self.lesson.exercises)}
        for line in reversed(lines[:row + 1]):
            if line.startswith("def "):
                index = names.get(line[4:].split("(")[0].strip())
                if index is not None and index != self.index:
                    self.index = index
                    self.show_exercise()
                return

    def show_exercise(self) -> None:
        self.remember_place()
        self.show_where()
        self.show_hints(record=False)
        self.show_result()

    def action_move(self, step: int) -> None:
        self.go_to((self.index + step) % len(self.lesson.exercises))

    def go_to(self, index: int) -> None:
        self.index = index
        self.jump_to(self.exercise.name)
        self.show_exercise()

    def action_exercises(self) -> None:
        from .exercises import ExerciseListScreen

        def chosen(index: int | None) -> None:
            if index is not None:
                self.go_to(index)
                self.editor.focus()

        self.app.push_screen(ExerciseListScreen(self.lesson, self.index), chosen)

    # -- panes ----------------------------------------------------------------------------

    def panes(self) -> list[Widget]:
        """The focusable panes in order: the editor, the checks (once graded), the details,
        and the choices of a change on disk while there is one."""
        table = self.results.table
        choices = [b for b in self.query("#conflict Button") if not b.disabled]
        return [self.editor, *([table] if table.display else []),
                self.results.query_one("#about"), *(choices if self.in_conflict else [])]

    def action_next_pane(self) -> None:
        panes = self.panes()
        focused = self.focused
        current = next((i for i, pane in enumerate(panes)
                        if focused is not None and (focused is pane or pane in
                                                    focused.ancestors)), -1)
        pane = panes[(current + 1) % len(panes)]
        if self.zoomed is not None and isinstance(pane, Button):
            self.zoom(None)
        elif self.zoomed is not None:
            self.zoom("editor" if pane is self.editor else "results")
        pane.focus()

    def action_zoom(self) -> None:
        if self.zoomed is not None:
            self.zoom(None)
        else:
            self.zoom("editor" if self.focused is self.editor else "results")

    def zoom(self, pane: str | None) -> None:
        self.zoomed = pane
        self.set_class(pane == "editor", "-zoom-editor")
        self.set_class(pane == "results", "-zoom-results")
        if pane == "editor":
            self.editor.focus()
        elif pane == "results" and (self.focused is self.editor or self.focused is None):
            self.panes()[1].focus()
        self.editor.scroll_cursor_visible()

    # -- saving and grading ---------------------------------------------------------------

    def save(self) -> bool:
        """Write the buffer to the file; False, with a message, if it cannot. A file changed
        on disk since it was loaded is never overwritten without the learner choosing so."""
        if self.saved_text is None:
            return False
        if self.in_conflict:
            self.show_conflict()
            self.notify(f"{escape(self.path.name)} changed on disk: load that version or "
                        "keep yours (above) before saving.", severity="warning")
            return False
        if file_signature(self.path) != self.signature:
            disk = self.disk_text()
            if disk != self.saved_text:  # changed, not just touched
                self.enter_conflict(disk)
                return False
        return self.write(self.editor.text)

    def write(self, text: str) -> bool:
        try:
            write_learner_file(self.path, text)
        except OSError as e:
            self.notify(f"Could not save {escape(self.path.name)}: {escape(str(e))}",
                        severity="error")
            return False
        self.saved_text, self.signature = text, file_signature(self.path)
        self.show_where()
        return True

    def disk_text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def action_save(self) -> None:
        if self.save():
            self.grade([self.exercise])

    def action_rerun(self) -> None:
        """Grade the file as it is on disk (a fallback where file events are unreliable)."""
        self.reload_from_disk()
        self.grade([self.exercise])

    def action_grade_all(self) -> None:
        if self.unsaved and not self.save():
            return
        self.grade(list(self.lesson.exercises))

    def grade(self, exercises: list[Exercise]) -> None:
        if self.live is None:
            return
        what = exercises[0].id if len(exercises) == 1 else f"{len(exercises)} exercises"
        self.results.show_busy(f"grading {what}")
        self.run_grade(exercises)

    @work(thread=True, exclusive=True, exit_on_error=False, group="grade")
    def run_grade(self, exercises: list[Exercise]) -> None:
        assert self.live is not None
        try:
            results = self.live.grade(exercises)
        except LessonError as e:
            self.post_message(GradeFailed(str(e)))
            return
        if not get_current_worker().is_cancelled and results:
            self.post_message(Graded(results))

    @work(thread=True, exit_on_error=False, group="warm")
    def warm(self) -> None:
        if self.live is not None:
            self.live.warm()

    def on_graded(self, message: Graded) -> None:
        self.tutor.show_notices()
        store = self.tutor.store
        if store is not None:
            record_results(store, self.path, message.results)
        self.last.update({r.exercise: r for r in message.results})
        self.tutor.remember(self.lesson, self.last, file_signature(self.path))
        if len(message.results) > 1:
            passed = sum(r.passed for r in message.results)
            self.notify(f"{passed} of {len(message.results)} exercises pass.",
                        severity="information" if passed == len(message.results)
                        else "warning")
        self.show_where()
        self.show_result()

    def on_grade_failed(self, message: GradeFailed) -> None:
        self.results.show_message(Text.from_markup(
            "[red]This lesson is broken (its author must fix it):[/] "
            f"{escape(message.reason)}"))

    def show_result(self) -> None:
        result = self.last.get(self.exercise.id)
        if result is not None:
            note = None
            if self.in_conflict:
                note = Text("⚠ graded: the file on disk, not the text in this editor",
                            style="bold yellow")
            self.results.show(result, note)
            return
        if self.saved_text is None:
            return
        status = self.status()
        if status is None or status.last_verdict is None:
            self.results.show_message(f"Save (ctrl+s) to grade {self.exercise.name}.")
            return
        text = Text("Last graded ")
        text.append(ago(time.time() - (status.last_at or 0)) + ": ")
        text.append_text(status_text(status))
        if status.checks_total:
            text.append(f", {status.checks_passed} of {status.checks_total} checks pass")
        text.append(". ctrl+s grades it again for the details.", style="dim")
        self.results.show_message(text)

    # -- the file on disk -----------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="watch")
    async def watch_file(self) -> None:
        from watchfiles import awatch

        folder, name = self.path.parent.resolve(), self.path.name
        async for _changes in awatch(folder, recursive=False, step=50,
                                    watch_filter=lambda _, p: Path(p).name == name):
            try:
                text = self.path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                if self.unsaved:
                    self.enter_conflict(None)
                else:
                    self.notify(f"{escape(self.path.name)} changed on disk but is not UTF-8 "
                                "text: not loaded; saving here would replace it (tutor asks "
                                "first).", severity="warning", timeout=10)
                continue
            except OSError:
                continue  # mid-write, or gone: the next event will tell
            # The disk's text as last seen: in a conflict, the version the banner offers.
            known = self.conflict if self.in_conflict else self.saved_text
            if text != known:
                self.post_message(FileChanged(text))

    def on_file_changed(self, message: FileChanged) -> None:
        """Saved from another editor: grade the functions that changed (the cursor's when
        none can be told), and show the first of them."""
        changed = changed_exercises(self.lesson, self.saved_text or "", message.text)
        if self.unsaved:  # never throw away what the learner typed here
            self.enter_conflict(message.text)
        else:
            self.load_disk_text(message.text)
        if changed:  # the cursor goes there too: the exercise shown is the cursor's
            self.go_to(self.lesson.exercises.index(changed[0]))
        self.grade(changed or [self.exercise])

    def reload_from_disk(self) -> None:
        if self.unsaved:
            return
        text = self.disk_text()
        if text is not None and text != self.saved_text:
            self.load_disk_text(text)

    def load_disk_text(self, text: str) -> None:
        cursor = self.editor.cursor_location
        self.saved_text, self.signature = text, file_signature(self.path)
        self.editor.load_text(text)
        lines = text.splitlines() or [""]
        row = min(cursor[0], len(lines) - 1)
        self.editor.move_cursor((row, min(cursor[1], len(lines[row]))))

    # -- a change on disk while this editor has unsaved edits -----------------------------

    def enter_conflict(self, disk: str | None) -> None:
        """Keep both until the learner picks one: a lasting banner, never a silent choice."""
        self.conflict, self.in_conflict = disk, True
        self.signature = file_signature(self.path)
        self.show_conflict()
        self.show_where()
        self.show_result()
        self.refresh_bindings()

    def show_conflict(self) -> None:
        banner = self.query_one("#conflict")
        name = escape(self.path.name)
        message = (f"[b yellow]⚠ {name} changed on disk[/] while this editor has unsaved "
                   "edits. The verdict below is for the disk version. Keep which? "
                   "[dim](ctrl+f reaches these)[/]")
        if self.conflict is None:
            message = (f"[b yellow]⚠ {name} changed on disk and is not UTF-8 text[/] "
                       "(not loaded). Save yours over it? [dim](ctrl+f reaches it)[/]")
        self.query_one("#conflict-text", Static).update(message)
        self.query_one("#take-disk", Button).disabled = self.conflict is None
        banner.display = True

    def leave_conflict(self) -> None:
        self.conflict, self.in_conflict = None, False
        self.query_one("#conflict").display = False
        self.show_where()
        self.refresh_bindings()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "take-disk":
            self.action_take_disk()
        elif event.button.id == "keep-mine":
            self.action_keep_mine()

    def action_take_disk(self) -> None:
        """Load the file as it is on disk now: this editor's unsaved edits are dropped."""
        if not self.in_conflict or self.conflict is None:
            return
        text = self.disk_text()
        if text is None:
            self.notify(f"{escape(self.path.name)} cannot be read now: nothing was loaded.",
                        severity="warning")
            return
        graded = self.conflict  # the disk's text when its verdict was given
        self.leave_conflict()
        self.load_disk_text(text)
        self.show_result()
        self.editor.focus()
        if text != graded:  # changed again since its verdict: grade what is there now
            self.grade([self.exercise])

    def action_keep_mine(self) -> bool:
        """Save this editor's text over the file on disk, and grade it."""
        if not self.in_conflict:
            return False
        self.leave_conflict()
        if not self.write(self.editor.text):
            return False
        self.editor.focus()
        self.grade([self.exercise])
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("take_disk", "keep_mine"):
            return self.in_conflict and (action == "keep_mine" or self.conflict is not None)
        return True

    def extra_commands(self) -> list[tuple[str, str, str]]:
        """Palette entries without a key: (title, help, action)."""
        if not self.in_conflict:
            return []
        commands = [("Keep mine", "Save this editor's text over the file changed on disk",
                     "keep_mine")]
        if self.conflict is not None:
            commands.insert(0, ("Load the disk version", "Drop this editor's unsaved "
                                "edits for the file as it is on disk", "take_disk"))
        return commands

    # -- hints and the reference ----------------------------------------------------------

    def show_hints(self, record: bool) -> None:
        """The hints shown so far; with ``record``, the next one too, scrolled into view and
        recorded (a press past the last hint records nothing)."""
        store, ladder = self.tutor.store, self.exercise.hints
        shown = store.hints_shown(self.exercise.id) if store else 0
        new = record and shown < len(ladder)
        if new:
            shown += 1
        notes: list[RenderableType] = []
        for level in range(shown):
            notes.append(Text(f"Hint {level + 1} of {len(ladder)}: ", style="bold cyan")
                         + Text(ladder[level]))
        if ladder and shown == len(ladder):
            mistakes = self.lesson.known_mistakes(self.exercise)
            if mistakes:
                bullets = Table.grid(padding=(0, 1))
                bullets.add_column(width=3, justify="right")
                bullets.add_column(ratio=1)
                for d in mistakes:
                    bullets.add_row("•", d.message)
                notes.append(Group(Text("Mistakes often made here:", style="bold"), bullets))
        if record and shown and self.zoomed == "editor":
            self.zoom(None)
        self.results.set_hints(notes, reveal=shown - 1 if record and shown else None)
        if new and store is not None:
            store.record_hint(self.exercise.id, shown)

    def action_hint(self) -> None:
        if not self.exercise.hints:
            self.notify("This exercise has no hints.")
            return
        if self.tutor.store and self.tutor.store.hints_shown(self.exercise.id) >= len(
                self.exercise.hints):
            self.notify("That was the last hint (in the details below).")
        self.show_hints(record=True)

    def action_reference(self) -> None:
        from .solution import SolutionScreen

        status = self.status()
        if status is None or not status.passed_before:
            self.notify("The reference solution opens once this exercise passes.")
            return
        self.app.push_screen(SolutionScreen(self.lesson, self.exercise, self.editor.text))

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        from .confirm import ConfirmScreen

        if self.zoomed is not None:
            self.zoom(None)  # escape first leaves the zoom
            return
        if not self.unsaved:
            self.dismiss()
            return
        if self.in_conflict:
            def settle(choice: str | None) -> None:
                if choice == "keep" and self.action_keep_mine() or choice == "disk":
                    self.dismiss()

            answers = [("keep", "Keep mine and leave"), ("disk", "Leave with the disk "
                                                                 "version"), ("cancel", "Stay")]
            self.app.push_screen(ConfirmScreen(
                f"{self.path.name} changed on disk and this editor has other, unsaved text.",
                answers if self.conflict is not None else [answers[0], answers[2]]), settle)
            return

        def decide(choice: str | None) -> None:
            if choice == "save" and self.save() or choice == "discard":
                self.dismiss()

        self.app.push_screen(ConfirmScreen(
            f"{self.path.name} has unsaved changes.",
            [("save", "Save and leave"), ("discard", "Leave without saving"),
             ("cancel", "Stay")]), decide)
