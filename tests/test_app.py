"""Whole flows through the app, driven with Pilot as a learner would."""

from pathlib import Path

import pytest
from app_helpers import app_for, make_workspace, plain, until

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


def text_of(app, selector) -> str:
    return plain(app.screen.query_one(selector))


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
        await pilot.pause()
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
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
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
        await pilot.pause()
        row = app.screen.rows["backprop"]
        assert (row.pages_read, row.quiz_right, row.passed) == (2, 1, 1)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert "page 3 of 7" in text_of(app, "#where")
        assert app.screen.query_one("#page").scroll_y > 0  # where it was left


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
        await pilot.pause(0.2)
        assert "grading" in text_of(app, "#summary")  # shown while it runs...
        await pilot.press("ctrl+t")  # ...and the app still answers keys
        await until(pilot, lambda: "Hint 1 of" in text_of(app, "#detail"), timeout=1.0)
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.verdict == "timeout"
        assert "timeout" in text_of(app, "#summary")


async def test_saving_from_another_editor_regrades(ws, only_backprop, backprop):
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)
        await pilot.pause(0.3)  # the watcher is up
        (ws.root / "backprop.py").write_text(backprop.reference_path.read_text())
        result = await graded(pilot, screen, "backprop.affine_forward")
        assert result.passed
        assert screen.editor.text == backprop.reference_path.read_text()  # reloaded
        # With unsaved edits here, a change on disk regrades but never replaces the buffer.
        screen.editor.insert("# my unsaved note\n", (0, 0))
        screen.last.clear()
        (ws.root / "backprop.py").write_text(backprop.stub_path.read_text())
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
        for _ in range(len(ladder) + 1):  # one press past the end stays at the end
            await pilot.press("ctrl+t")
            await pilot.pause()
        detail = text_of(app, "#detail")
        assert f"Hint {len(ladder)} of {len(ladder)}" in detail
        assert "Mistakes often made here" in detail
        assert app.store.hints_shown("backprop.affine_backward") == len(ladder)


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
        assert {"Save & grade", "Re-run", "Grade all", "Hint", "Next exercise"} <= titles


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
        await pilot.pause(0.5)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_bytes() == b"# caf\xe9, not UTF-8\n"  # refused, with a warning
        assert screen.unsaved
        await pilot.press("ctrl+s")  # asked for twice: overwrite
        await until(pilot, lambda: not screen.unsaved)
        assert path.read_text().startswith("# mine\n")


async def test_an_outside_save_grades_the_function_that_changed(ws, only_backprop, backprop):
    path = ws.root / "backprop.py"
    app = app_for(ws, only_backprop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_exercise(pilot, app)  # the cursor in affine_forward
        await pilot.pause(0.3)
        source = with_function(path.read_text(), "relu_forward",
                               "def relu_forward(x):\n    return np.maximum(x, 0.0)\n")
        path.write_text("import numpy as np\n" + source)
        result = await graded(pilot, screen, "backprop.relu_forward")
        assert result.passed and screen.exercise.name == "relu_forward"
        assert "backprop.affine_forward" not in screen.last


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
        shown = text_of(app, "#detail") + text_of(app, "#summary")
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
        await pilot.pause()
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
