"""The reader: a lesson's Markdown pages, one at a time, where the learner left off."""

import contextlib

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Markdown, Static

from ...lesson import Lesson
from ...progress import PAGE, page_title
from ..widgets.footer import KeysFooter
from .base import LessonScreen


class ReaderScreen(LessonScreen):
    CSS_PATH = "reader.tcss"
    BINDINGS = [
        Binding("space", "read_on", "Read on", key_display="space",
                tooltip="Scroll down a screen; at the end of the page, the next page"),
        Binding("right,n", "page(1)", "Next", key_display="→", tooltip="Next page"),
        Binding("left,b", "page(-1)", "Prev", key_display="←", tooltip="Previous page"),
        Binding("q", "quiz", "Quiz"),
        Binding("e", "code", "Code"),
    ]

    def __init__(self, lesson: Lesson, page: int | None = None):
        super().__init__(lesson)
        self.page, self.asked = 0, page
        self.read = False  # the current page's end has been on screen

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="where")
        with VerticalScroll(id="page"):
            yield Markdown(id="text")
        yield Static(id="page-status")
        yield KeysFooter()

    async def on_mount(self) -> None:
        store, scroll = self.tutor.store, 0.0
        last = store.events(PAGE, self.lesson.id)[-1:] if store else []
        if self.asked is not None:
            self.page = self.asked
        elif last:  # where the learner left off
            self.page = int(last[0].get("page", 0) or 0)
            scroll = float(last[0].get("scroll", 0) or 0)
        self.page = max(0, min(self.page, len(self.lesson.pages) - 1))
        await self.show_page(scroll)
        self.watch(self.query_one("#page", VerticalScroll), "scroll_y", self.check_read,
                   init=False)
        self.query_one("#page").focus()

    async def show_page(self, scroll: float = 0.0) -> None:
        path = self.lesson.pages[self.page]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            text = f"*This page could not be read:* `{e}`"
        await self.query_one("#text", Markdown).update(text)
        total = len(self.lesson.pages)
        self.query_one("#where", Static).update(
            f"[b]{escape(self.lesson.title)}[/] · page {self.page + 1} of {total} · "
            f"{escape(page_title(path))}")
        self.read = False
        self.show_status()
        view = self.query_one("#page", VerticalScroll)
        view.scroll_home(animate=False, immediate=True)
        if scroll:  # once the page is laid out
            self.call_after_refresh(view.scroll_to, y=scroll, animate=False)
        self.call_after_refresh(self.check_read)
        self.remember(scroll)

    def check_read(self) -> None:
        """A page counts as read once its end has been on screen."""
        view = self.query_one("#page", VerticalScroll)
        if not self.read and view.scroll_y >= view.max_scroll_y - 1:
            self.read = True
            self.remember()
            self.show_status()

    def show_status(self) -> None:
        """Under the page: whether it counts as read yet, and how to get there."""
        last = self.page + 1 >= len(self.lesson.pages)
        after = "q: the quiz, e: the code" if last else "space or →: the next page"
        self.query_one("#page-status", Static).update(
            f"[green]✓ read[/] · {after}" if self.read else
            "[dim]This page counts as read once its end has been on screen · space pages "
            "down[/]")

    def remember(self, scroll: float | None = None) -> None:
        """Record where the learner is (and whether this page has been read to its end)."""
        store = self.tutor.store
        if scroll is None:
            scroll = self.query_one("#page", VerticalScroll).scroll_y
        if store is not None:
            store.record_event(PAGE, self.lesson.id, {"page": self.page, "read": self.read,
                                                      "scroll": round(scroll, 1)})

    def on_unmount(self) -> None:
        super().on_unmount()
        with contextlib.suppress(Exception):  # quitting: the store may be closed already
            self.remember()

    async def action_read_on(self) -> None:
        """Space: a screen further down; at the end of the page, the next page."""
        view = self.query_one("#page", VerticalScroll)
        if view.scroll_y >= view.max_scroll_y - 1:
            await self.action_page(1)
        else:
            view.scroll_page_down(animate=False)

    async def action_page(self, step: int) -> None:
        page = self.page + step
        if page >= len(self.lesson.pages):
            self.notify("That was the last page. Press q for the quiz, e for the code.")
            return
        if page < 0:
            return
        self.page = page
        await self.show_page()

    def action_back(self) -> None:
        self.remember()  # the scroll position too
        super().action_back()

    def action_quiz(self) -> None:
        from .quiz import QuizScreen

        self.remember()
        self.app.switch_screen(QuizScreen(self.lesson))

    def action_code(self) -> None:
        from .exercise import ExerciseScreen

        if not self.lesson.exercises:
            self.notify("This lesson has no exercises.")
            return
        self.remember()
        self.app.switch_screen(ExerciseScreen(self.lesson, 0))
