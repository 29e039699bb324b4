"""What every screen looks like, at 80x24 and at a larger size (`pytest --snapshot-update`
rewrites the pictures after a deliberate change; review them in the report first)."""

from pathlib import Path

import pytest
from app_helpers import (
    app_for,
    broken_affine_backward,
    fully_visible,
    make_workspace,
    until,
    write_until,
)

from tutor.app.app import TutorApp
from tutor.app.screens.exercise import ExerciseScreen
from tutor.app.screens.quiz import QuizScreen
from tutor.plugins import Registry

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.fixture
def only_backprop(backprop):
    return Registry([backprop])


@pytest.fixture
def ws(tmp_path, only_backprop):
    return make_workspace(tmp_path / "my-work", only_backprop)


@pytest.mark.parametrize("size", SIZES)
def test_welcome(snap_compare, tmp_path, only_backprop, size):
    app = TutorApp(only_backprop, cwd=tmp_path)
    app.cwd = Path("/home/learner")  # the proposed path shown must not depend on tmp_path
    assert snap_compare(app, terminal_size=size)


async def home_ready(pilot):
    """The lesson map with its progress, read in the background, shown."""
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "HomeScreen"
                and pilot.app.screen.rows)
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_lesson_map(snap_compare, tmp_path, registry, size):
    ws = make_workspace(tmp_path / "my-work", registry)
    assert snap_compare(app_for(ws, registry), run_before=home_ready, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_reader(snap_compare, ws, only_backprop, size):
    assert snap_compare(app_for(ws, only_backprop), press=["r", "n"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_quiz_question(snap_compare, ws, only_backprop, size):
    assert snap_compare(app_for(ws, only_backprop), press=["q"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_quiz_feedback(snap_compare, ws, only_backprop, size):
    async def answer_wrong(pilot):
        await pilot.press("q")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuizScreen))
        posed = pilot.app.screen.posed
        await pilot.press("abcd"[(int(posed.answer) + 1) % len(posed.choices)])
        await pilot.pause()

    assert snap_compare(app_for(ws, only_backprop), run_before=answer_wrong, terminal_size=size)


async def open_exercise(pilot, lesson, index):
    app = pilot.app
    app.push_screen(ExerciseScreen(lesson, index))
    await until(pilot, lambda: isinstance(app.screen, ExerciseScreen)
                and app.screen.live is not None)
    editor = app.screen.editor
    editor.cursor_blink = False  # a blinking cursor is not a picture
    # The exercise's def is scrolled to the top once the editor is laid out: wait for it,
    # so that what a test does next never races it.
    top = max(0, editor.wrapped_document.location_to_offset((editor.cursor_location[0], 0)).y - 1)
    await until(pilot, lambda: editor.scroll_y == top)
    return app.screen


async def settled(pilot):
    pilot.app.clear_notifications()  # a toast lasts seconds: on a slow machine, or not
    await until(pilot, lambda: not pilot.app.screen.query("Toast"))
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def hints_shown(pilot, screen, count):
    """Press ctrl+t ``count`` times, each hint scrolled into view before the next."""
    about = screen.query_one("#about")
    for level in range(1, count + 1):
        await pilot.press("ctrl+t")
        await until(pilot, lambda level=level: len(screen.results.hints) >= level
                    and fully_visible(screen.results.hints[level - 1], about))


@pytest.mark.parametrize("size", [*SIZES, pytest.param((160, 40), id="160x40")])
def test_exercise_graded(snap_compare, ws, only_backprop, backprop, size):
    broken_affine_backward(ws, backprop)

    async def grade(pilot):
        screen = await open_exercise(pilot, backprop, 1)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "backprop.affine_backward" in screen.last)
        await hints_shown(pilot, screen, 1)
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=grade, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_exercise_every_hint(snap_compare, ws, only_backprop, backprop, size):
    async def hints(pilot):
        screen = await open_exercise(pilot, backprop, 1)
        await hints_shown(pilot, screen, 4)
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=hints, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_exercise_results_zoomed(snap_compare, ws, only_backprop, backprop, size):
    broken_affine_backward(ws, backprop)

    async def zoom(pilot):
        screen = await open_exercise(pilot, backprop, 1)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "backprop.affine_backward" in screen.last)
        await pilot.press("ctrl+f", "ctrl+l")  # the checks get the keys, then the screen
        await until(pilot, lambda: not screen.editor.region)
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=zoom, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_exercise_changed_on_disk(snap_compare, ws, only_backprop, backprop, size):
    async def conflict(pilot):
        screen = await open_exercise(pilot, backprop, 0)
        screen.editor.insert("# not saved yet\n", (0, 0))
        await write_until(pilot, ws.root / "backprop.py", backprop.reference_path.read_text(),
                          lambda: screen.in_conflict)
        # Every function changed: all are graded, and their verdict's toast posted before
        # settled() clears it.
        await until(pilot, lambda: len(screen.last) == len(backprop.exercises))
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=conflict, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_exercise_list(snap_compare, ws, only_backprop, backprop, size):
    store = ws.store()
    store.record_attempt("backprop.affine_forward", "pass", 5, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.affine_forward", "wrong-value", 3, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.relu_forward", "pass", 4, 4, 0.1, "backprop.py")
    store.record_hint("backprop.affine_backward", 2)
    store.close()

    async def listing(pilot):
        await open_exercise(pilot, backprop, 1)
        await pilot.press("f2")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ExerciseListScreen")
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=listing, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_reference_beside_yours(snap_compare, ws, only_backprop, backprop, size):
    (ws.root / "backprop.py").write_text(backprop.reference_path.read_text())

    async def pass_and_open(pilot):
        screen = await open_exercise(pilot, backprop, 0)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "backprop.affine_forward" in screen.last)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "SolutionScreen")
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=pass_and_open,
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_progress(snap_compare, tmp_path, registry, size):
    ws = make_workspace(tmp_path / "my-work", registry)
    store = ws.store()
    store.record_attempt("backprop.affine_forward", "wrong-value", 3, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.affine_forward", "pass", 5, 5, 0.1, "backprop.py")
    store.record_hint("backprop.affine_backward", 1)
    store.close()
    assert snap_compare(app_for(ws, registry), press=["p"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, ws, only_backprop, size):
    assert snap_compare(app_for(ws, only_backprop), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_unsaved_changes_dialog(snap_compare, ws, only_backprop, backprop, size):
    async def edit_and_quit(pilot):
        screen = await open_exercise(pilot, backprop, 0)
        screen.editor.insert("# not saved yet\n", (0, 0))
        await pilot.press("ctrl+q")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ConfirmScreen")
        await settled(pilot)

    assert snap_compare(app_for(ws, only_backprop), run_before=edit_and_quit,
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_experiment(snap_compare, ws, only_backprop, size):
    async def run_short(pilot):
        app = pilot.app
        await pilot.press("x")
        await until(pilot, lambda: type(app.screen).__name__ == "ExperimentScreen")
        app.screen.query_one("#params").value = "steps=30 hidden=20 lr=2.0 seed=0"
        await pilot.press("enter")
        await until(pilot, lambda: "done" in str(app.screen.query_one("#status").content),
                    timeout=60)

    assert snap_compare(app_for(ws, only_backprop), run_before=run_short, terminal_size=size)
