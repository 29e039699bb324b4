"""The quiz: one question at a time, immediate feedback with the explanation, answers recorded."""

import random
from dataclasses import replace

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from ...lesson import Lesson
from ...quiz import LETTERS, Posed, Question
from ...schema import LessonError
from ..widgets.footer import KeysFooter
from .base import LessonScreen


class QuizScreen(LessonScreen):
    CSS_PATH = "quiz.tcss"
    BINDINGS = [
        Binding("n,enter", "next", "Next question"),
        Binding("r", "retry", "Retry wrong ones"),
        Binding("e", "code", "Code"),
    ]

    def __init__(self, lesson: Lesson, retry: bool = False):
        super().__init__(lesson)
        self.retry = retry
        self.questions: list[Question] = []
        self.index = 0
        self.posed: Posed | None = None
        self.answered = False
        self.score = 0
        self.asked = 0
        self.order: list[int] | None = None  # on a retry, the catalog index of each choice

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="where")
        with VerticalScroll(id="body"):
            yield Markdown(id="prompt")
            yield OptionList(id="choices")
            yield Input(id="number", placeholder="your answer, e.g. 0.25, -3, 1e-3 or 1/4")
            yield Static(id="error")
            yield Static(id="verdict")
            yield Markdown(id="explanation")
        yield KeysFooter()

    async def on_mount(self) -> None:
        try:
            questions = list(self.lesson.quiz.questions)
        except LessonError as e:
            self.finish(f"This lesson's quiz cannot be read: {e}")
            return
        store = self.tutor.store
        if self.retry and store is not None:
            right = {q for q, ok in store.quiz_score(self.lesson.id).items() if ok}
            questions = [q for q in questions if q.id not in right]
        self.questions = questions
        await self.show_question()

    # -- one question ---------------------------------------------------------------------

    async def show_question(self) -> None:
        while self.index < len(self.questions):
            question = self.questions[self.index]
            try:
                learner = self.tutor.store.learner_id() if self.tutor.store else "anonymous"
                self.posed = self.lesson.quiz.pose(question, learner)
                break
            except LessonError as e:
                self.notify(f"Question {question.id!r} skipped: {escape(str(e))}",
                            severity="warning")
                self.index += 1
        else:
            self.finish()
            return
        if self.retry and self.posed.question.kind == "choice":
            self.posed = self.shuffled(self.posed)
        else:
            self.order = None
        posed = self.posed
        self.answered = False
        self.query_one("#where", Static).update(
            f"[b]{escape(self.lesson.title)}[/] · quiz{' (retry)' if self.retry else ''} · "
            f"question {self.index + 1} of {len(self.questions)}")
        await self.query_one("#prompt", Markdown).update(posed.prompt)
        choices, number = self.query_one("#choices", OptionList), self.query_one("#number", Input)
        choices.display = posed.question.kind == "choice"
        number.display = not choices.display
        choices.disabled = number.disabled = False
        if choices.display:
            choices.set_options(Option(Text(f"{LETTERS[i]}) {c}"), id=str(i))
                                for i, c in enumerate(posed.choices))
            choices.highlighted = 0
            choices.focus()
        else:
            number.value = ""
            number.focus()
        self.query_one("#error", Static).update(
            f"[dim]press a–{LETTERS[len(posed.choices) - 1]} (or click a choice)[/]"
            if choices.display else "[dim]type a number, then enter[/]")
        self.query_one("#verdict", Static).update("")
        self.refresh_bindings()
        await self.query_one("#explanation", Markdown).update("")
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def shuffled(self, posed: Posed) -> Posed:
        """The question with its choices in a new order (never the catalog's): a retry is
        answered from the content, not from remembering a letter."""
        n = len(posed.choices)
        order = list(range(n))
        while n > 1 and order == sorted(order):
            random.shuffle(order)
        self.order = order
        question = replace(posed.question, choices=tuple(posed.choices[i] for i in order),
                           answer=order.index(int(posed.answer)))
        return replace(posed, question=question, answer=question.answer)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.answered:
            self.run_worker(self.action_next())
        else:
            self.run_worker(self.answer(str(event.option_index + 1)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.answered:
            self.run_worker(self.action_next())
        else:
            self.run_worker(self.answer(event.value))

    def on_key(self, event: events.Key) -> None:
        """a-h or 1-8 answer a multiple-choice question."""
        super().on_key(event)
        posed = self.posed
        if posed is None or self.answered or posed.question.kind != "choice":
            return
        key = event.character or ""
        n = len(posed.choices)
        if (len(key) == 1 and key in LETTERS[:n]) or (key.isdigit() and 1 <= int(key) <= n):
            event.stop()
            self.run_worker(self.answer(key))

    async def answer(self, response: str) -> None:
        posed = self.posed
        if posed is None or self.answered:
            return
        try:
            value = posed.parse(response)
        except ValueError as e:
            self.query_one("#error", Static).update(f"[yellow]{escape(str(e))}[/]")
            return
        self.query_one("#error", Static).update("")
        correct = posed.is_correct(value)
        self.answered, self.asked = True, self.asked + 1
        self.score += correct
        store = self.tutor.store
        if store is not None:
            # A choice is recorded by its catalog letter, whatever order it was shown in.
            answer = (LETTERS[self.order[int(value)]] if self.order is not None
                      else response.strip())
            store.record_answer(self.lesson.id, posed.id, answer, correct)
        number = self.query_one("#number", Input)
        if number.display:
            number.disabled = True  # n and enter now move on
        if posed.question.kind == "choice":
            choices = self.query_one("#choices", OptionList)
            marks = {int(posed.answer): ("✓", "green"), int(value): ("✓", "green")
                     if correct else ("✗", "red")}
            choices.set_options(
                Option(Text(f"{LETTERS[i]}) {c}  {marks[i][0]}", style=marks[i][1])
                       if i in marks else Text(f"{LETTERS[i]}) {c}", style="dim"))
                for i, c in enumerate(posed.choices))
            choices.highlighted = int(value)
        verdict = ("[b green]Right.[/]" if correct else
                   f"[b red]Not quite.[/] The answer is {posed.answer_text}.")
        self.query_one("#verdict", Static).update(
            verdict + "  [dim](enter or n: next question)[/]")
        await self.query_one("#explanation", Markdown).update(posed.explanation)
        self.query_one("#verdict").scroll_visible(animate=False)
        self.refresh_bindings()

    async def action_next(self) -> None:
        if not self.answered:
            return
        self.index += 1
        await self.show_question()

    # -- the end --------------------------------------------------------------------------

    def finish(self, message: str = "") -> None:
        self.posed = None
        for widget in ("#choices", "#number", "#explanation", "#error"):
            self.query_one(widget).display = False
        self.run_worker(self.query_one("#prompt", Markdown).update(""))
        if not message:
            if not self.questions:
                message = ("Every question is answered right." if self.retry
                           else "This lesson has no quiz.")
            else:
                right = self.tutor.store.quiz_score(self.lesson.id) if self.tutor.store else {}
                wrong = sum(1 for q in self.lesson.quiz.questions if not right.get(q.id))
                message = (f"[b]{self.score} of {self.asked} right[/] this time. " + (
                    "Every question of the quiz is now answered right."
                    if not wrong else f"{wrong} question(s) still to get right: "
                    "press r to retry them.") + "\n\ne: write the code · escape: back")
        self.query_one("#where", Static).update(f"[b]{escape(self.lesson.title)}[/] · quiz")
        self.query_one("#verdict", Static).update(message)
        self.refresh_bindings()

    def action_retry(self) -> None:
        if self.posed is None:  # only once the quiz is over
            self.app.switch_screen(QuizScreen(self.lesson, retry=True))

    def action_code(self) -> None:
        from .exercise import ExerciseScreen

        if self.posed is None and self.lesson.exercises:
            self.app.switch_screen(ExerciseScreen(self.lesson, 0))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "code"):
            return self.posed is None
        if action == "next":
            return self.answered and self.posed is not None
        return True
