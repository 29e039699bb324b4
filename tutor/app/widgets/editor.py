"""The code editor: a TextArea that indents Python as a learner expects.

Enter keeps the line's indentation and adds a level after a colon or an open bracket (and
drops one after return, pass, raise, break or continue); tab and shift+tab indent and dedent
the line or every selected line; backspace in leading spaces goes back one level.
"""

from typing import Any

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

OPENERS = (":", "(", "[", "{")
ENDERS = ("return", "pass", "raise", "break", "continue")


def next_indent(line: str, width: int = 4) -> str:
    """The indentation of the line after ``line`` (the text before the cursor)."""
    indent = line[:len(line) - len(line.lstrip(" "))]
    code = line.strip()
    if code.endswith(OPENERS) and not code.startswith("#"):
        return indent + " " * width
    first = code.split(maxsplit=1)[0] if code else ""
    if first.rstrip(":;") in ENDERS:
        return indent[:max(0, len(indent) - width)]
    return indent


def dedented(line: str, width: int = 4) -> str:
    """``line`` with up to one level of leading spaces removed."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, spaces % width or width):]


# The TextArea's own bindings (key -> action): run in order with the keys typed around them.
EDITING_KEYS = {key.strip(): binding.action for binding in TextArea.BINDINGS
                if isinstance(binding, Binding) for key in binding.key.split(",")}


class CodeEditor(TextArea):
    """A Python editor; a code_editor TextArea with indentation handled."""

    def __init__(self, text: str = "", **kwargs: Any):
        kwargs.setdefault("language", "python")
        kwargs.setdefault("theme", "monokai")
        kwargs.setdefault("show_line_numbers", True)
        kwargs.setdefault("soft_wrap", True)  # long lines wrap: nothing is off to the right
        # Tab is handled here; "focus" keeps the TextArea's own escape handling (a focus
        # change) out of the way, so escape reaches the screen.
        super().__init__(text, tab_behavior="focus", **kwargs)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return not self.read_only and key in ("tab", "shift+tab", "enter") or \
            super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        """Enter, tab and shift+tab; the TextArea's own keys (cursor movement, deletion,
        undo, ...) at once; every other key goes on to the TextArea's handler."""
        action = EDITING_KEYS.get(event.key)
        if action is not None:
            # A binding runs only once the key has bubbled up to the app, after keys typed
            # just behind it have been inserted: "end, x" typed fast would put x first.
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        if self.read_only or event.key not in ("enter", "tab", "shift+tab"):
            return
        event.stop()
        event.prevent_default()  # the TextArea's own handler would insert "\n" or "\t"
        start, end = self.selection
        if event.key == "enter":
            row, column = min(start, end)
            indent = next_indent(self.document[row][:column], self.indent_width)
            self._replace_via_keyboard("\n" + indent, start, end)
        elif event.key == "shift+tab":
            self.shift_lines(-1)
        elif start[0] != end[0]:
            self.shift_lines(1)
        else:
            column = self.get_column_width(*end)
            self._replace_via_keyboard(" " * (self.indent_width - column % self.indent_width),
                                       start, end)

    def shift_lines(self, direction: int) -> None:
        """Indent (1) or dedent (-1) every line the selection touches, by one level."""
        start, end = self.selection
        first, last = sorted((start[0], end[0]))
        if start[0] != end[0] and max(start, end)[1] == 0:
            last -= 1  # a selection ending at column 0 does not take in that line
        lines = [self.document[row] for row in range(first, last + 1)]
        width = self.indent_width
        if direction > 0:
            new = [(" " * width + line) if line.strip() else line for line in lines]
        else:
            new = [dedented(line, width) for line in lines]
        if new == lines:
            return
        shifts = [len(n) - len(o) for n, o in zip(new, lines, strict=True)]
        self.replace("\n".join(new), (first, 0), (last, len(lines[-1])),
                     maintain_selection_offset=False)

        def moved(location: tuple[int, int]) -> tuple[int, int]:
            row, column = location
            if not first <= row <= last:
                return location
            return row, max(0, column + shifts[row - first]) if column else 0

        self.selection = Selection(moved(start), moved(end))

    def action_delete_left(self) -> None:
        """Backspace; in the leading spaces of a line it goes back to the previous level."""
        start, end = self.selection
        row, column = end
        before = self.document[row][:column]
        if (self.read_only or start != end or column == 0 or before.strip()
                or not before.endswith(" ")):
            super().action_delete_left()
            return
        back = column % self.indent_width or self.indent_width
        self._delete_via_keyboard((row, column - back), end)
