"""Shared by the app's Pilot and snapshot tests: a workspace, and waiting for the app."""

import asyncio
import io
from pathlib import Path

from rich.console import Console
from rich.text import Text

from tutor.app.app import TutorApp
from tutor.plugins import Registry
from tutor.workspace import Workspace

LEARNER = "0123456789abcdef0123456789abcdef"  # fixed, so quiz numbers are the same each run


def make_workspace(root: Path, registry: Registry) -> Workspace:
    ws = Workspace.create(root)
    for lesson in registry:
        ws.add_stub(lesson)
    store = ws.store()
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('learner', ?)", (LEARNER,))
    store.close()
    return ws


def app_for(ws: Workspace, registry: Registry) -> TutorApp:
    return TutorApp(registry, workspace=ws.root, cwd=ws.root.parent)


async def until(pilot, condition, timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds (a grade finishing, say)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.05)


def plain(widget) -> str:
    """What a Static shows, as plain text."""
    content = widget.content
    if isinstance(content, str):
        return Text.from_markup(content).plain
    console = Console(width=300, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


async def write_until(pilot, path: Path, text: str, condition, timeout: float = 20.0) -> None:
    """Write ``path`` as another editor would, again until the app has seen it (the file
    watcher takes a moment to start, longer on a loaded machine)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        path.write_text(text)
        retry = loop.time() + 1.0
        while loop.time() < retry:
            if condition():
                return
            await pilot.pause(0.05)
        if loop.time() > deadline:
            raise AssertionError(f"the app never saw {path.name} change")


def fully_visible(widget, container) -> bool:
    """Whether every line of ``widget`` is on screen inside the scrolling ``container``."""
    return (widget.region.height > 0
            and container.scrollable_content_region.contains_region(widget.region))


def broken_affine_backward(ws: Workspace, backprop) -> None:
    """The reference with db averaged instead of summed: a wrong gradient to look at."""
    source = backprop.reference_path.read_text().replace(
        "db = dout.sum(axis=0)", "db = dout.mean(axis=0)")
    assert "dout.mean(axis=0)" in source
    (ws.root / "backprop.py").write_text(source)
