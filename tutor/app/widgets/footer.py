"""A footer that shows only the keys that fit whole: at 80 columns the first ones (a screen
lists its essential keys first), never half a key. Every key is in the help (f1) and the
command palette (ctrl+p) too."""

from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)
        self._widths: dict[str, int] = {}  # each key's width when it was last shown

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        shown = list(self.query_children("FooterKey"))
        keys = [k for k in shown if not k.has_class("-command-palette")]
        palette = [k for k in shown if k.has_class("-command-palette")]
        room = self.size.width - sum(p.outer_size.width for p in palette)
        used = 0
        for key in keys:
            name = str(getattr(key, "key", ""))
            if key.display:
                self._widths[name] = key.outer_size.width
            key.display = used + self._widths.get(name, 0) <= room
            used += self._widths.get(name, 0) + key.styles.margin.right
