"""Whole flows through the app, driven with Pilot as a learner would."""

from pathlib import Path

import pytest
from app_helpers import (
    app_for,
    broken_affine_backward,
    fully_visible,
    make_workspace,
    plain,
    until,
    write_until,
)
from textual import events

from tutor.app.app import TutorApp
from tutor.app.screens.confirm import ConfirmScreen
from tutor.app.screens.exercise import ExerciseScreen
from tutor.app.screens.home import HomeScreen
from tutor.app.screens.quiz import QuizScreen
from tutor.app.screens.reader import ReaderScreen
from tutor.app.screens.solution import SolutionScreen
from tutor.app.screens.welcome import WelcomeScreen
from tutor.plugins import Registry
from tutor.quiz import LETTERS
from tutor.sandbox.supervisor import Limits
from tutor.store import Store

SIZE = (100, 32)


@pytest.fixture
def only_backprop(backprop):
    return Registry([backprop])


@pytest.fixture
def ws(tmp_path, only_backprop):
    return make_workspace(tmp_path / "my-work", only_backprop)


async def home_ready(pilot) -> None:
    """The lesson map, with the progress it reads in the background shown."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.rows)


def text_of(app, selector) -> str:
    return plain(app.screen.query_one(selector))


def hints_text(app) -> str:
    return "\n".join(plain(hint) for hint in app.screen.query("#hints > Static"))


def with_function(source: str, name: str, body: str) -> str:
    """The file with ``def name`` replaced by ``body`` (a whole def)."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith(("def ", "@"))), len(lines))
    return "\n".join(lines[:start] + body.strip("\n").splitlines() + ["", ""] + lines[end:])


async def graded(pilot, screen, exercise_id):
    await until(pilot, lambda: exercise_id in screen.last)
    return screen.last[exercise_id]


async def test_first_run_offers_a_workspace_and_creates_it(tmp_path, only_backprop):
    app = TutorApp(only_backprop, cwd=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
    folder = tmp_path / "tutor-workspace"
    assert (folder / ".tutor" / "progress.db").is_file()
    assert (folder / "backprop.py").read_text() == only_backprop.get(
        "backprop").stub_path.read_text()
    # The next start finds it from the same directory: no second welcome.
    app = TutorApp(only_backprop, cwd=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_progress_file_from_a_newer_tutor_is_refused_untouched(ws, only_backprop):
    store = Store(ws.db_path)
    store.db.execute("PRAGMA user_version = 99")
    store.close()
    before = ws.db_path.read_bytes()
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "newer tutor" in text_of(app, "#error")
    assert ws.db_path.read_bytes() == before


async def test_read_quiz_code_and_progress_survives_a_restart(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        assert "read page 1 of 7" in text_of(app, "#continue")
        # Read: two pages, then leave.
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert "page 1 of 7" in text_of(app, "#where")
        await pilot.press("n")  # page 1 skipped: not read
        await until(pilot, lambda: "page 2 of 7" in text_of(app, "#where"))
        assert app.screen.read is False
        await pilot.press("end")  # its end on screen: read
        await until(pilot, lambda: app.screen.read)
        await pilot.press("n")
        await until(pilot, lambda: "page 3 of 7" in text_of(app, "#where"))
        await pilot.press("end")
        await until(pilot, lambda: app.screen.read)
        await pilot.press("escape")
        # The quiz: the first question right, the second wrong.
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen))
        quiz = app.screen
        first = backprop.quiz.pose(backprop.quiz.questions[0], app.store.learner_id())
        await pilot.press(LETTERS[int(first.answer)])
        await until(pilot, lambda: "Right." in text_of(app, "#verdict"))
        await pilot.press("n")
        await until(pilot, lambda: quiz.index == 1)
        second = backprop.quiz.pose(backprop.quiz.questions[1], app.store.learner_id())
        if second.question.kind == "choice":
            await pilot.press(LETTERS[(int(second.answer) + 1) % len(second.choices)])
        else:
            await pilot.press(*str(second.answer * 2 + 1), "enter")
        await until(pilot, lambda: "Not quite." in text_of(app, "#verdict"))
        await pilot.press("escape")
        # The code: a wrong affine_forward, then a right one.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        assert screen.exercise.name == "affine_forward"
        stub = screen.editor.text
        screen.editor.load_text(with_function(stub, "affine_forward",
                                              "def affine_forward(x, w, b):\n    return x @ w\n"))
        screen.jump_to("affine_forward")
        assert screen.unsaved
        await pilot.press("ctrl+s")
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.verdict == "wrong-value"
        assert "wrong-value" in text_of(app, "#summary")
        screen.last.clear()
        screen.editor.load_text(with_function(
            stub, "affine_forward", "def affine_forward(x, w, b):\n    return x @ w + b\n"))
        await pilot.press("ctrl+s")
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.passed and "pass" in text_of(app, "#summary")
        assert not screen.unsaved
        assert "return x @ w + b" in (ws.root / "backprop.py").read_text()
        await pilot.press("escape")  # straight from the editor
        await home_ready(pilot)
        row = app.screen.rows["backprop"]
        assert (row.pages_read, row.quiz_right, row.passed) == (2, 1, 1)
        assert row.next.label.startswith("read page 1 of 7")  # the one skipped

    store = Store(ws.db_path)
    assert store.exercise_status("backprop.affine_forward").passed
    assert store.exercise_status("backprop.affine_forward").attempts == 2
    assert store.quiz_score("backprop") == {backprop.quiz.questions[0].id: True,
                                            backprop.quiz.questions[1].id: False}
    store.close()
    # A new session: the same progress, and the reader opens where it was left.
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        row = app.screen.rows["backprop"]
        assert (row.pages_read, row.quiz_right, row.passed) == (2, 1, 1)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert "page 3 of 7" in text_of(app, "#where")
        page = app.screen.query_one("#page")
        await until(pilot, lambda: page.scroll_y > 0)  # where it was left


async def open_exercise(pilot, app, index=0):
    app.push_screen(ExerciseScreen(app.registry.get("backprop"), index))
    await until(pilot, lambda: isinstance(app.screen, ExerciseScreen)
                and app.screen.live is not None)
    return app.screen


async def test_a_hanging_file_times_out_and_the_app_keeps_working(ws, only_backprop):
    (ws.root / "backprop.py").write_text("def affine_forward(x, w, b):\n    while True:\n"
                                         "        pass\n")
    app = app_for(ws, only_backprop)
    app.limits = Limits(seconds=1.5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "grading" in text_of(app, "#summary"))  # while it runs...
        await pilot.press("ctrl+t")  # ...and the app still answers keys
        await until(pilot, lambda: "Hint 1 of" in hints_text(app), timeout=1.0)
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.verdict == "timeout"
        assert "timeout" in text_of(app, "#summary")


async def test_saving_from_another_editor_regrades(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        reference = backprop.reference_path.read_text()
        await write_until(pilot, ws.root / "backprop.py", reference,
                          lambda: "backprop.affine_forward" in screen.last)
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.passed
        assert screen.editor.text == reference  # reloaded
        # With unsaved edits here, a change on disk regrades but never replaces the buffer.
        screen.editor.insert("# my unsaved note\n", (0, 0))
        screen.last.clear()
        await write_until(pilot, ws.root / "backprop.py", backprop.stub_path.read_text(),
                          lambda: screen.in_conflict)
        result = await graded(pilot, screen, screen.exercise.id)  # the cursor's function
        assert result.verdict == "not-implemented"
        assert screen.editor.text.startswith("# my unsaved note\n")


async def test_quitting_with_unsaved_edits_asks_first(ws, only_backprop):
    before = (ws.root / "backprop.py").read_text()
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        screen.editor.insert("# unsaved\n", (0, 0))
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#cancel")
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        assert app.is_running and screen.editor.text.startswith("# unsaved\n")
        await pilot.press("escape")  # leaving the screen asks
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#save")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
    assert (ws.root / "backprop.py").read_text() == "# unsaved\n" + before


async def test_hints_are_revealed_one_at_a_time_and_recorded(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_exercise(pilot, app, index=1)
        ladder = backprop.exercise("affine_backward").hints
        for level in range(1, len(ladder) + 2):  # one press past the end stays at the end
            await pilot.press("ctrl+t")
            shown = min(level, len(ladder))
            await until(pilot, lambda shown=shown: f"Hint {shown} of" in hints_text(app))
        hints = hints_text(app)
        assert f"Hint {len(ladder)} of {len(ladder)}" in hints
        assert "Mistakes often made here" in hints
        # One record per hint shown: the press past the end recorded nothing.
        levels = [row["level"] for row in app.store.export()["hints"]]
        assert levels == list(range(1, len(ladder) + 1))


async def test_the_reference_opens_only_after_a_pass(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)  # not yet
        screen.editor.load_text(backprop.reference_path.read_text())
        await pilot.press("ctrl+s")
        await graded(pilot, screen, "backprop.affine_forward")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SolutionScreen))
        sides = [area.text for area in app.screen.query("TextArea")]
        assert all(side.startswith("def affine_forward(") for side in sides)


async def test_an_unreadable_file_is_never_overwritten(ws, only_backprop):
    path = ws.root / "backprop.py"
    path.write_bytes(b"def affine_forward(x, w, b):\n    return '\xff'\n")
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ExerciseScreen(app.registry.get("backprop"), 0))
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        await pilot.pause()
        assert "Cannot open backprop.py" in text_of(app, "#summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not screen.unsaved
    assert path.read_bytes() == b"def affine_forward(x, w, b):\n    return '\xff'\n"


async def test_the_command_palette_lists_the_screens_actions(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Continue", "Read", "Quiz", "Code", "Experiment", "Progress", "Help",
                "Quit"} <= titles
        await open_exercise(pilot, app)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Save", "Re-run", "Grade all", "Hint", "Next", "Prev", "Pane", "Zoom",
                "List", "Reference"} <= titles


async def test_the_experiment_runs_in_the_app(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await until(pilot, lambda: type(app.screen).__name__ == "ExperimentScreen")
        params = app.screen.query_one("#params")
        params.value = "steps=20"
        await pilot.press("enter")
        await until(pilot, lambda: "done" in text_of(app, "#status"), timeout=60)
        assert "the reference" in text_of(app, "#where")


def test_make_app_is_what_tutor_start_runs(tmp_path, registry):
    from tutor.app import make_app

    app = make_app(workspace=tmp_path / "w", cwd=tmp_path)
    assert isinstance(app, TutorApp) and app.requested == tmp_path / "w"
    assert [lesson.id for lesson in app.registry] == [lesson.id for lesson in registry]
    assert Path(app.cwd) == tmp_path.resolve()


async def test_quit_right_after_typing_still_asks(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_exercise(pilot, app)
        await pilot.press("end", "space", "number_sign", "m", "ctrl+q")  # no pause between
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))


async def test_a_file_changed_on_disk_is_not_overwritten_without_asking(ws, only_backprop):
    path = ws.root / "backprop.py"
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        screen.editor.insert("# mine\n", (0, 0))
        path.write_bytes(b"# caf\xe9, not UTF-8\n")  # unreadable: the editor keeps its text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.in_conflict)  # refused: the learner chooses
        assert path.read_bytes() == b"# caf\xe9, not UTF-8\n"
        assert screen.unsaved and screen.query_one("#conflict").display
        assert screen.query_one("#take-disk").disabled  # nothing readable to take
        await pilot.press("ctrl+s")  # asking again changes nothing
        await pilot.pause()
        assert path.read_bytes() == b"# caf\xe9, not UTF-8\n"
        await pilot.click("#keep-mine")
        await until(pilot, lambda: not screen.unsaved)
        assert path.read_text().startswith("# mine\n")
        assert not screen.in_conflict and not screen.query_one("#conflict").display


async def test_an_outside_save_grades_the_function_that_changed(ws, only_backprop, backprop):
    path = ws.root / "backprop.py"
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)  # the cursor in affine_forward
        source = with_function(path.read_text(), "relu_forward",
                               "def relu_forward(x):\n    return np.maximum(x, 0.0)\n")
        await write_until(pilot, path, "import numpy as np\n" + source,
                          lambda: "backprop.relu_forward" in screen.last)
        result = await graded(pilot, screen, "backprop.relu_forward")
        await pilot.pause()
        await pilot.pause()  # the editor's own events about the reload, too
        assert result.passed and screen.exercise.name == "relu_forward"
        assert "backprop.affine_forward" not in screen.last
        row = screen.editor.cursor_location[0]  # the cursor went to the graded function
        assert screen.editor.text.splitlines()[row].startswith("def relu_forward(")


async def test_learner_output_cannot_reach_the_terminal(ws, only_backprop):
    (ws.root / "backprop.py").write_text(
        "def affine_forward(x, w, b):\n    print('\\x1b[2J\\x1b[Hgotcha')\n"
        "    raise ValueError('\\x1b[7minjected')\n")
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.press("ctrl+r")
        result = await graded(pilot, screen, "backprop.affine_forward")
        shown = text_of(app, "#check-detail") + text_of(app, "#summary")
        assert "\x1b" not in shown and "\x1b" not in result.message + result.printed
        assert "\\x1b[2J" in shown  # written out, visibly


async def test_quiz_keys_do_what_the_screen_says(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    questions = backprop.quiz.questions
    numeric = next(i for i, q in enumerate(questions) if q.kind == "numeric")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen))
        quiz = app.screen
        quiz.index = numeric  # straight to a numeric question
        await quiz.show_question()
        await pilot.press("1", "enter")
        await until(pilot, lambda: quiz.answered)
        await pilot.press("n")  # the input let go: n moves on, it is not typed
        await until(pilot, lambda: quiz.index == numeric + 1)
        quiz.index = len(questions)
        await quiz.show_question()  # the end
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen))


async def test_continuing_a_quiz_asks_only_what_is_not_right_yet(ws, only_backprop, backprop):
    store = Store(ws.db_path)
    for page in range(len(backprop.pages)):
        store.record_event("page", "backprop", {"page": page, "read": True, "scroll": 0})
    first = backprop.quiz.questions[0]
    store.record_answer("backprop", first.id, "a", True)
    store.close()
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        assert "quiz" in text_of(app, "#continue")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen) and app.screen.posed)
        assert app.screen.posed.id != first.id
        assert len(app.screen.questions) == len(backprop.quiz.questions) - 1


@pytest.mark.parametrize("lesson_id", ["sgd", "clipping", "batchnorm", "cnn", "lstm", "gan",
                                       "attention"])
async def test_every_lessons_experiment_draws_in_the_app(tmp_path, registry, lesson_id):
    lesson = registry.get(lesson_id)
    ws = make_workspace(tmp_path / "my-work", Registry([lesson]))
    app = app_for(ws, Registry([lesson]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await until(pilot, lambda: type(app.screen).__name__ == "ExperimentScreen")
        frame = app.screen.query_one("#frame")
        await until(pilot, lambda: plain(frame).strip() not in ("", "starting… (the first "
                                 "run compiles the lesson's kernels)"), timeout=60)
        assert "failed" not in text_of(app, "#status")
        await pilot.press("escape")  # leaving stops the run
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))


# -- the exercise screen as learners use it -----------------------------------------------

SMALL = (80, 24)


async def test_hint_4_is_visible_in_full_after_four_presses_at_80x24(ws, only_backprop, backprop):
    ladder = backprop.exercise("affine_backward").hints
    assert len(ladder) == 4
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app, index=1)
        about = screen.query_one("#about")
        for level in range(1, 5):
            await pilot.press("ctrl+t")
            await until(pilot, lambda level=level: len(screen.results.hints) >= level
                        and fully_visible(screen.results.hints[level - 1], about))
            assert app.store.hints_shown("backprop.affine_backward") == level
        assert plain(screen.results.hints[3]).startswith("Hint 4 of 4: ")


async def test_hints_with_a_graded_result_still_show_in_full_at_80x24(ws, only_backprop, backprop):
    broken_affine_backward(ws, backprop)
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app, index=1)
        await pilot.press("ctrl+r")
        await graded(pilot, screen, "backprop.affine_backward")
        assert screen.results.table.display  # the checks take room too
        about = screen.query_one("#about")
        for level in range(1, 5):
            await pilot.press("ctrl+t")
            await until(pilot, lambda level=level: len(screen.results.hints) >= level
                        and fully_visible(screen.results.hints[level - 1], about))


async def test_enter_keeps_the_indentation_and_shift_tab_dedents(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        editor = screen.editor
        editor.load_text("")
        await pilot.press(*"def f(x):", "enter")
        assert editor.text == "def f(x):\n    "  # a colon: one level in
        await pilot.press(*"if x:", "enter", *"return 1", "enter")
        assert editor.text.endswith("    if x:\n        return 1\n    ")  # back out after return
        await pilot.press(*"y = (", "enter")
        assert editor.text.endswith("    y = (\n        ")  # an open bracket: one level in
        await pilot.press("shift+tab")
        assert editor.text.endswith("    y = (\n    ")
        await pilot.press("backspace")  # in the indentation: a whole level at once
        assert editor.text.endswith("    y = (\n")
        await pilot.press("tab")
        assert editor.text.endswith("    y = (\n    ")
        assert editor.has_focus  # tab indents in the editor, it does not move the focus
        # tab and shift+tab on a selection shift every line of it
        editor.load_text("a = 1\nb = 2\n")
        editor.select_all()
        await pilot.press("tab")
        assert editor.text == "    a = 1\n    b = 2\n"
        await pilot.press("shift+tab")
        assert editor.text == "a = 1\nb = 2\n"
        assert editor.soft_wrap  # long lines wrap: nothing is cut at the right edge


async def test_keys_typed_in_a_burst_apply_in_order(ws, only_backprop):
    # Keys that arrive together (fast typing, a loaded machine): the cursor moves and the
    # deletion happen where they were typed, not after the letters that followed.
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        editor = (await open_exercise(pilot, app)).editor
        editor.load_text("abc\n")
        editor.move_cursor((0, 0))
        for key, character in (("end", None), ("backspace", "\x7f"), ("x", "x"),
                               ("enter", "\r"), ("y", "y"), ("left", None), ("z", "z")):
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: editor.text == "abx\nzy\n")


async def test_ctrl_f_cycles_the_panes_and_ctrl_l_zooms_the_focused_one(ws, only_backprop,
                                                                        backprop):
    (ws.root / "backprop.py").write_text(backprop.reference_path.read_text())
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        editor, table, about = screen.editor, screen.results.table, screen.query_one("#about")
        assert editor.has_focus
        await pilot.press("ctrl+f")
        assert about.has_focus  # nothing graded yet: no checks to visit
        await pilot.press("ctrl+f")
        assert editor.has_focus
        await pilot.press("ctrl+s")
        await graded(pilot, screen, "backprop.affine_forward")
        panes = (table, about, editor)
        for pane in panes:
            await pilot.press("ctrl+f")
            assert pane.has_focus
            # the focused pane shows it: its left edge has a colour the others have not
            edge = pane.styles.border_left
            assert edge[0] != "none" and all(
                other.styles.border_left[1] != edge[1] for other in panes if other is not pane)
        await pilot.press("ctrl+l")  # the editor gets the screen
        await until(pilot, lambda: not screen.results.display or not screen.results.region)
        assert editor.region.height == SMALL[1] - 2  # all but the status line and the footer
        await pilot.press("ctrl+f")  # the zoom follows the focus
        await until(pilot, lambda: table.has_focus and not editor.region)
        await pilot.press("escape")  # escape leaves the zoom first, then the screen
        await until(pilot, lambda: editor.region and screen.results.region)
        assert isinstance(app.screen, ExerciseScreen)
        keys = {str(getattr(k, "key", "")) for k in app.screen.query("FooterKey")
                if k.display and k.region}
        assert {"ctrl+s", "ctrl+t", "ctrl+f", "ctrl+l", "f1", "escape"} <= keys


async def test_reopening_an_exercise_shows_its_last_verdict(ws, only_backprop, backprop):
    broken_affine_backward(ws, backprop)
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app, index=1)
        await pilot.press("ctrl+s")
        await graded(pilot, screen, "backprop.affine_backward")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        screen = await open_exercise(pilot, app, index=1)  # the same session: every check
        assert "wrong-value" in text_of(app, "#summary")
        assert screen.results.table.row_count == 15
    # After a restart: "continue" goes back to it, with its last verdict.
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        assert "back to affine_backward (wrong-value)" in text_of(app, "#continue")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen)
                    and app.screen.live is not None)
        assert app.screen.exercise.name == "affine_backward"
        summary = text_of(app, "#summary")
        assert "Last graded" in summary and "✗ wrong-value" in summary
        assert "11 of 15 checks pass" in summary


async def test_status_is_the_latest_verdict_after_a_regression(ws, only_backprop, backprop):
    path = ws.root / "backprop.py"
    path.write_text(backprop.reference_path.read_text())
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.press("ctrl+s")
        await graded(pilot, screen, "backprop.affine_forward")
        assert "✓ passed" in text_of(app, "#where")
        screen.last.clear()
        screen.editor.load_text(with_function(screen.editor.text, "affine_forward",
                                              "def affine_forward(x, w, b):\n    return x @ w\n"))
        screen.jump_to("affine_forward")
        await pilot.press("ctrl+s")
        await graded(pilot, screen, "backprop.affine_forward")
        where = text_of(app, "#where")
        assert "✗ wrong-value (passed before)" in where and "✓ passed" not in where
        await pilot.press("f2")  # the lesson's exercises with their status
        await until(pilot, lambda: type(app.screen).__name__ == "ExerciseListScreen")
        table = app.screen.query_one("DataTable")
        row = [plain_cell(c) for c in table.get_row_at(0)]
        assert row[1:4] == ["affine_forward", "✗ wrong-value (passed before)", "2"]
        assert plain_cell(table.get_row_at(1)[2]) == "not tried"
        await pilot.press("down", "enter")  # opens the one picked
        await until(pilot, lambda: isinstance(app.screen, ExerciseScreen)
                    and app.screen.exercise.name == "affine_backward")
        await pilot.press("ctrl+b", "ctrl+o")  # earned once: the reference still opens
        await until(pilot, lambda: isinstance(app.screen, SolutionScreen))
        await pilot.press("escape", "escape")
        await home_ready(pilot)
        assert app.screen.rows["backprop"].passed == 0  # the lesson counts it as failing


def plain_cell(cell) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


async def conflicted(pilot, app, ws, backprop):
    """An exercise screen with unsaved edits whose file then changed on disk."""
    screen = await open_exercise(pilot, app)
    screen.editor.insert("# mine, unsaved\n", (0, 0))
    await write_until(pilot, ws.root / "backprop.py", backprop.reference_path.read_text(),
                      lambda: screen.in_conflict)
    await graded(pilot, screen, "backprop.affine_forward")  # the disk's version is graded
    return screen


async def test_an_outside_edit_with_unsaved_changes_is_a_lasting_conflict(ws, only_backprop,
                                                                        backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await conflicted(pilot, app, ws, backprop)
        # A pass for the disk's file, said to be so, while the editor shows other text.
        summary = text_of(app, "#summary")
        assert "✓ pass" in summary and "the file on disk, not the text in this editor" in summary
        assert "changed on disk" in text_of(app, "#where") and screen.query_one("#conflict").display
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"Load the disk version", "Keep mine"} <= titles
        for _ in range(3):  # editor -> checks -> details -> the banner's first choice
            await pilot.press("ctrl+f")
        assert app.focused is screen.query_one("#take-disk")
        screen.editor.focus()
        await pilot.press("ctrl+s")  # saving never silently overwrites the outside fix
        await pilot.pause()
        assert (ws.root / "backprop.py").read_text() == backprop.reference_path.read_text()
        await pilot.press("escape")  # nor does leaving: it asks which to keep
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        labels = [str(b.label) for b in app.screen.query("Button")]
        assert labels == ["Keep mine and leave", "Leave with the disk version", "Stay"]
        await pilot.click("#cancel")
        await until(pilot, lambda: app.screen is screen)
        await pilot.click("#take-disk")
        await until(pilot, lambda: not screen.in_conflict)
        assert screen.editor.text == backprop.reference_path.read_text() and not screen.unsaved
        assert "the file on disk" not in text_of(app, "#summary")
        assert not screen.query_one("#conflict").display


async def test_keep_mine_saves_over_the_outside_edit_and_grades_it(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await conflicted(pilot, app, ws, backprop)
        screen.last.clear()
        commands = {c.title: c for c in app.get_system_commands(screen)}
        await commands["Keep mine"].callback()  # from the command palette
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.verdict == "not-implemented"  # the stub, with my note on top
        assert (ws.root / "backprop.py").read_text().startswith("# mine, unsaved\n")
        assert not screen.in_conflict and not screen.unsaved


async def test_the_reader_says_when_a_page_counts_as_read_and_space_pages_down(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader, view = app.screen, app.screen.query_one("#page")
        assert "counts as read once its end has been on screen" in text_of(app, "#page-status")
        await pilot.press("space")
        await until(pilot, lambda: view.scroll_y > 0)
        while not reader.read:
            await pilot.press("space")
            await pilot.pause()
        assert "✓ read" in text_of(app, "#page-status") and "page 1 of" in text_of(app, "#where")
        await pilot.press("space")  # at the end of the page: the next one
        await until(pilot, lambda: "page 2 of" in text_of(app, "#where"))


async def test_a_quiz_retry_shuffles_the_choices(ws, only_backprop, backprop):
    question = next(q for q in backprop.quiz.questions if q.kind == "choice")
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(QuizScreen(backprop, retry=True))
        await until(pilot, lambda: isinstance(app.screen, QuizScreen) and app.screen.posed)
        quiz = app.screen
        assert quiz.posed.id == question.id
        assert quiz.posed.choices != question.choices  # a new order...
        assert sorted(quiz.posed.choices) == sorted(question.choices)  # ...of the same choices
        shown = quiz.posed.choices.index(question.choices[question.answer])
        await pilot.press(LETTERS[shown])  # the right one, wherever it is now
        await until(pilot, lambda: "Right." in text_of(app, "#verdict"))
        (answer,) = app.store.export()["quiz_answers"]
        assert answer["answer"] == LETTERS[question.answer] and answer["correct"]


async def test_numeric_answers_show_their_whole_placeholder(ws, only_backprop, backprop):
    numeric = next(i for i, q in enumerate(backprop.quiz.questions) if q.kind == "numeric")
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen))
        app.screen.index = numeric
        await app.screen.show_question()
        box = app.screen.query_one("#number")
        await until(pilot, lambda: box.content_region.width > 0)  # laid out
        assert box.content_region.width >= len(box.placeholder)


async def test_long_formulas_wrap_in_the_reader_at_80_columns(ws, only_backprop, backprop):
    page = next(i for i, p in enumerate(backprop.pages) if "vectorized" in p.name)
    longest = max(len(line) for line in backprop.pages[page].read_text().splitlines())
    assert longest > 75  # a line too long for 80 columns: it must wrap, not be cut
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.push_screen(ReaderScreen(backprop, page))
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                    and app.screen.query("MarkdownFence"))
        await pilot.pause()
        for fence in app.screen.query("MarkdownFence"):
            assert fence.virtual_size.width <= fence.size.width  # nothing to the right
            assert fence.region.right <= SMALL[0]


async def test_the_lesson_map_is_drawn_before_its_progress_is_read(ws, only_backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        table = app.screen.query_one("#lessons")
        assert table.row_count == 1  # listed at once (its numbers may follow)
        await home_ready(pilot)
        assert "read page 1 of 7" in text_of(app, "#continue")
        assert plain_cell(table.get_row_at(0)[2]) == "0/7"


async def test_sigterm_ends_the_app_and_the_learners_process_with_it(ws, only_backprop):
    import os
    import signal

    (ws.root / "backprop.py").write_text("def affine_forward(x, w, b):\n    while True:\n"
                                         "        pass\n")
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen.live is not None and screen.live._run is not None
                    and screen.live._run.sandbox.proc is not None)
        proc = screen.live._run.sandbox.proc
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the app, as quitting is
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 128 + signal.SIGTERM
    proc.wait(timeout=10)
