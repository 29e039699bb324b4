"""The learner's function beside the reference's, once the exercise passes."""

import ast

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Static, TextArea

from ...lesson import Exercise, Lesson
from ..widgets.footer import KeysFooter
from .base import LessonScreen


def function_source(source: str, name: str) -> str | None:
    """The text of ``def name`` in a module's source (with its decorators), if it is there."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(lines[start - 1:node.end_lineno])
    return None


class SolutionScreen(LessonScreen):
    CSS_PATH = "solution.tcss"

    def __init__(self, lesson: Lesson, exercise: Exercise, learner_source: str):
        super().__init__(lesson)
        self.exercise, self.learner_source = exercise, learner_source

    def compose(self) -> ComposeResult:
        name = self.exercise.name
        try:
            reference = self.lesson.reference_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            reference = ""
        yield Header()
        yield Static(f"[b]{self.lesson.id}.{name}[/] · yours beside the reference "
                     "(both pass; read for the differences)", id="where")
        with Horizontal(id="sides"):
            for title, source in (("yours", self.learner_source), ("reference", reference)):
                with Vertical():
                    yield Static(f"[b]{title}[/]", classes="title")
                    text = function_source(source, name) or (
                        f"# no def {name}(...) here: the file does not parse, or the\n"
                        "# function is defined another way")
                    yield TextArea.code_editor(text, language="python", read_only=True,
                                               theme="monokai", soft_wrap=True)
        yield KeysFooter()
