"""The exercise: the learner's file in an editor, graded on every save (here, or from their
own editor: the file is watched), with the results, hints and, once passed, the reference."""

from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import Footer, Header, Static, TextArea
from textual.worker import get_current_worker

from ...grader import ExerciseResult
from ...lesson import Exercise, Lesson
from ...live import LiveGrader
from ...progress import record_results
from ...schema import LessonError
from ...workspace import file_signature, write_learner_file
from ..messages import FileChanged, Graded, GradeFailed
from ..widgets.results import Results
from .base import LessonScreen
from .solution import function_source


def changed_exercises(lesson: Lesson, old: str, new: str) -> list[Exercise]:
    """The exercises whose function text differs between two versions of the file."""
    return [e for e in lesson.exercises
            if function_source(old, e.name) != function_source(new, e.name)]


class ExerciseScreen(LessonScreen):
    CSS_PATH = "exercise.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+s", "save", "Save & grade"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+n", "move(1)", "Next exercise"),
        Binding("ctrl+o", "reference", "Reference"),
        Binding("ctrl+r", "rerun", "Re-run", show=False),
        Binding("ctrl+g", "grade_all", "Grade all", show=False),
        Binding("ctrl+b", "move(-1)", "Previous exercise", show=False),
        Binding("escape", "back", "Back", priority=True),  # also from inside the editor
    ]
    BIG = 3000  # lines: above this the editor does not highlight (it would crawl)

    def __init__(self, lesson: Lesson, index: int = 0):
        super().__init__(lesson)
        self.index = max(0, min(index, len(lesson.exercises) - 1))
        self.path: Path = Path()
        self.saved_text: str | None = None  # what the file holds, as far as we know
        self.signature: tuple[int, int] | None = None  # the file's, when loaded or saved
        self.overwrite = False  # the learner was told the file changed on disk
        self.live: LiveGrader | None = None
        self.last: dict[str, ExerciseResult] = {}  # the latest result of each exercise

    @property
    def exercise(self) -> Exercise:
        return self.lesson.exercises[self.index]

    @property
    def unsaved(self) -> bool:
        return self.saved_text is not None and self.editor.text != self.saved_text

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    @property
    def results(self) -> Results:
        return self.query_one(Results)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="where")
        with Container(id="work"):
            yield TextArea.code_editor("", language="python", id="editor",
                                       theme="monokai", compact=True)
            yield Results(id="results")
        yield Footer()

    def on_mount(self) -> None:
        workspace = self.tutor.workspace
        assert workspace is not None
        self.path = workspace.solution_path(self.lesson)
        try:
            workspace.add_stub(self.lesson)  # never overwrites
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.editor.read_only = True
            self.results.show_message(
                f"[red]Cannot open {escape(self.path.name)}: {escape(str(e))}[/]\n"
                "Fix the file (or move it away) and come back: tutor never overwrites it.")
            self.show_where()
            return
        self.saved_text, self.signature = text, file_signature(self.path)
        if text.count("\n") > self.BIG:
            self.editor.language = None
            self.notify(f"{escape(self.path.name)} is long: shown without highlighting.")
        self.editor.load_text(text)
        self.jump_to(self.exercise.name)
        self.editor.focus()
        self.live = LiveGrader(self.lesson, self.path, self.tutor.limits)
        self.warm()
        self.watch_file()
        self.show_where()
        self.show_hints(record=False)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.live is not None:
            self.live.close()

    # -- header and navigation ------------------------------------------------------------

    def show_where(self) -> None:
        store = self.tutor.store
        status = store.exercise_status(self.exercise.id) if store else None
        mark = (Text("✓ passed", style="green") if status and status.passed else
                Text(f"{status.attempts} attempt(s)" if status and status.attempts
                     else "not tried", style="dim"))
        text = Text.from_markup(f"[b]{self.lesson.id}.{self.exercise.name}[/] · exercise "
                                f"{self.index + 1} of {len(self.lesson.exercises)} · ")
        text.append_text(mark)
        text.append(f" · {self.path.name}", style="dim")
        if self.unsaved:
            text.append(" ● modified", style="yellow")
        self.query_one("#where", Static).update(text)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.show_where()

    def jump_to(self, name: str) -> None:
        """Put the cursor on the line that defines ``name``."""
        for row, line in enumerate(self.editor.text.splitlines()):
            if line.startswith(f"def {name}("):
                self.editor.move_cursor((row, 0), center=True)
                return

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        """The exercise is the function the cursor is in."""
        lines = self.editor.text.splitlines()
        row = min(event.selection.end[0], len(lines) - 1)
        names = {e.name: i for i, e in enumerate(self.lesson.exercises)}
        for line in reversed(lines[:row + 1]):
            if line.startswith("def "):
                index = names.get(line[4:].split("(")[0].strip())
                if index is not None and index != self.index:
                    self.index = index
                    self.show_where()
                    self.show_hints(record=False)
                    self.show_result()
                return

    def action_move(self, step: int) -> None:
        self.index = (self.index + step) % len(self.lesson.exercises)
        self.jump_to(self.exercise.name)
        self.show_where()
        self.show_hints(record=False)
        self.show_result()

    # -- saving and grading ---------------------------------------------------------------

    def save(self) -> bool:
        """Write the buffer to the file; False, with a message, if it cannot. A file changed
        on disk since it was loaded is overwritten only when the learner saves again."""
        if self.saved_text is None:
            return False
        if file_signature(self.path) != self.signature and not self.overwrite:
            self.overwrite = True
            self.notify(f"{escape(self.path.name)} changed on disk since it was loaded here. "
                        "Save again to overwrite it with this buffer, or ctrl+r to load it "
                        "(when there are no unsaved edits).", severity="warning", timeout=10)
            return False
        text = self.editor.text
        try:
            write_learner_file(self.path, text)
        except OSError as e:
            self.notify(f"Could not save {escape(self.path.name)}: {escape(str(e))}",
                        severity="error")
            return False
        self.saved_text, self.signature, self.overwrite = text, file_signature(self.path), False
        self.show_where()
        return True

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
        store = self.tutor.store
        if store is not None:
            record_results(store, self.path, message.results)
        self.last = {r.exercise: r for r in message.results}
        if len(message.results) > 1:
            passed = sum(r.passed for r in message.results)
            self.notify(f"{passed} of {len(message.results)} exercises pass.",
                        severity="information" if passed == len(message.results)
                        else "warning")
        self.show_where()
        self.show_result()

    def on_grade_failed(self, message: GradeFailed) -> None:
        self.results.show_message(f"[red]This lesson is broken (its author must fix it):[/] "
                                  f"{escape(message.reason)}")

    def show_result(self) -> None:
        result = self.last.get(self.exercise.id)
        if result is not None:
            self.results.show(result)
        elif self.saved_text is not None:
            self.results.show_message(f"Save (ctrl+s) to grade {self.exercise.name}.")
            self.results.query_one("#checks").display = False

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
                self.notify(f"{escape(self.path.name)} changed on disk but is not UTF-8 text: "
                            "not loaded; saving here would replace it (tutor asks first).",
                            severity="warning", timeout=10)
                continue
            except OSError:
                continue  # mid-write, or gone: the next event will tell
            if text != self.saved_text:
                self.post_message(FileChanged(text))

    def on_file_changed(self, message: FileChanged) -> None:
        """Saved from another editor: grade the functions that changed (the cursor's when
        none can be told), and show the first of them."""
        changed = changed_exercises(self.lesson, self.saved_text or "", message.text)
        self.signature = file_signature(self.path)
        if self.unsaved:  # never throw away what the learner typed here
            self.notify(f"{escape(self.path.name)} changed on disk. Your unsaved edits here "
                        "are kept; ctrl+s would overwrite the file with them.",
                        severity="warning")
            self.saved_text = message.text
        else:
            self.load_disk_text(message.text)
        if changed:
            self.index = self.lesson.exercises.index(changed[0])
            self.show_where()
        self.grade(changed or [self.exercise])

    def reload_from_disk(self) -> None:
        if self.unsaved:
            return
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if text != self.saved_text:
            self.load_disk_text(text)

    def load_disk_text(self, text: str) -> None:
        cursor = self.editor.cursor_location
        self.saved_text, self.signature = text, file_signature(self.path)
        self.editor.load_text(text)
        lines = text.splitlines() or [""]
        row = min(cursor[0], len(lines) - 1)
        self.editor.move_cursor((row, min(cursor[1], len(lines[row]))))

    # -- hints and the reference ----------------------------------------------------------

    def show_hints(self, record: bool) -> None:
        store, ladder = self.tutor.store, self.exercise.hints
        shown = store.hints_shown(self.exercise.id) if store else 0
        if record and ladder:
            shown = min(shown + 1, len(ladder))
            if store is not None:
                store.record_hint(self.exercise.id, shown)
        notes: list[Text] = []
        for level in range(shown):
            notes.append(Text(f"Hint {level + 1} of {len(ladder)}: ", style="bold cyan")
                         + Text(ladder[level]))
        if ladder and shown == len(ladder):
            mistakes = self.lesson.known_mistakes(self.exercise)
            if mistakes:
                notes.append(Text("Mistakes often made here:", style="bold"))
                notes.extend(Text(f"  • {d.message}") for d in mistakes)
        self.results.set_notes(notes)
        if record:
            self.results.query_one("#about").scroll_end(animate=False)

    def action_hint(self) -> None:
        if not self.exercise.hints:
            self.notify("This exercise has no hints.")
            return
        self.show_hints(record=True)

    def action_reference(self) -> None:
        from .solution import SolutionScreen

        store = self.tutor.store
        if store is None or not store.exercise_status(self.exercise.id).passed:
            self.notify("The reference solution opens once this exercise passes.")
            return
        self.app.push_screen(SolutionScreen(self.lesson, self.exercise, self.editor.text))

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        from .confirm import ConfirmScreen

        if not self.unsaved:
            self.dismiss()
            return

        def decide(choice: str | None) -> None:
            if choice == "save" and self.save() or choice == "discard":
                self.dismiss()

        self.app.push_screen(ConfirmScreen(
            f"{self.path.name} has unsaved changes.",
            [("save", "Save and leave"), ("discard", "Leave without saving"),
             ("cancel", "Stay")]), decide)
