"""Help: how tutor is meant to be used, and every key of the screen it was opened from."""

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

FLOW = """
[b]How it works[/b]
On the lesson map, pick a lesson (the one marked ▶ is next; c goes there). Read its pages, \
answer its quiz, then write the code: the lesson's file in your workspace holds one \
function per exercise. Save (ctrl+s) and tutor grades the function your cursor is in: \
each check shows its verdict, the relative error and, when it can tell, the mistake. \
Saving the file from your own editor grades it too. Stuck? ctrl+t shows the next hint. \
Once an exercise passes, ctrl+o shows the reference beside your code. Progress is saved \
as you go; an exercise's status is its latest verdict.

[b]In the exercise[/b]
ctrl+f moves the keys between the editor, the checks and the details (a bar on the left \
marks where they go); ctrl+l gives that pane the whole screen, escape or ctrl+l gives it \
back. f2 lists the lesson's exercises with their status. In the editor, enter keeps the \
indentation (one level more after a colon), tab and shift+tab indent and dedent the line \
or the selected lines, backspace in the indentation goes back one level, ctrl+z undoes, \
ctrl+y redoes.

ctrl+p opens the command palette (every action of the screen); ctrl+q quits.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen):
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        keys = Table(box=None, show_header=False, padding=(0, 2))
        keys.add_column(style="bold cyan")
        keys.add_column()
        seen = set()
        for active in self.under.active_bindings.values():
            binding = active.binding
            if (not binding.description or not isinstance(active.node, Screen | App)
                    or binding.description in seen):
                continue  # widgets' own keys (cursor movement, ...) are not news
            seen.add(binding.description)
            keys.add_row(binding.key_display or self.app.get_key_display(binding),
                         binding.tooltip or binding.description)
        with VerticalScroll(id="help"):
            yield Static("[b]Keys on this screen[/b]")
            yield Static(keys)
            yield Static(FLOW)
            yield Static("[dim]escape closes this help[/]")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss()
