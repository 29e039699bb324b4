"""Quiz catalogs: typed, with errors naming file and line, posed reproducibly per learner."""

import sys
import textwrap

import pytest

from tutor import Lesson
from tutor.quiz import Quiz
from tutor.schema import CatalogError, LessonError


def lesson_with_quiz(tmp_path, quiz_toml, quiz_py=""):
    for name in [m for m in sys.modules if m.startswith("tutor_lesson_qlesson")]:
        del sys.modules[name]  # another test's quiz.py, under the same lesson id
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "lesson.toml").write_text('format = 1\nid = "qlesson"\ntitle = "Q"\n')
    (folder / "quiz.toml").write_text(textwrap.dedent(quiz_toml))
    if quiz_py:
        (folder / "quiz.py").write_text(textwrap.dedent(quiz_py))
    return Lesson.from_folder(folder)


GOOD = """\
    format = 1

    [[questions]]
    id = "pick"
    kind = "choice"
    prompt = "Pick b."
    choices = ["a", "b", "c"]
    answer = 1
    explanation = "Because."

    [[questions]]
    id = "num"
    kind = "numeric"
    prompt = "What is {a} + {b}?"
    generator = "add"
    explanation = "{a} + {b} = {answer}"
"""

GEN = """\
    def add(rng):
        a, b = int(rng.integers(1, 1000)), int(rng.integers(1, 1000))
        return {"a": a, "b": b}, a + b
"""


def test_pose_and_check(tmp_path):
    quiz = Quiz.from_lesson(lesson_with_quiz(tmp_path, GOOD, GEN))
    pick, num = quiz.questions
    posed = quiz.pose(pick, "me")
    assert posed.is_correct(posed.parse("b")) and posed.is_correct(posed.parse("2"))
    assert not posed.is_correct(posed.parse("a"))
    with pytest.raises(ValueError, match="letter"):
        posed.parse("d")
    mine, again, theirs = quiz.pose(num, "me"), quiz.pose(num, "me"), quiz.pose(num, "you")
    assert mine == again and mine.prompt != theirs.prompt
    assert mine.is_correct(mine.parse(str(int(mine.answer))))
    assert not mine.is_correct(mine.answer * 1.1)
    assert str(int(mine.answer)) in mine.explanation
    with pytest.raises(ValueError, match="number"):
        mine.parse("twelve")
    assert mine.parse("1/4") == 0.25


@pytest.mark.parametrize("change, line, message", [
    (('answer = 1', 'answer = 3'), 8, "not the index of a choice"),
    (('kind = "choice"', 'kind = "essay"'), 5, "kind must be one of"),
    (('id = "num"', 'id = "pick"'), 11, "used twice"),
    (('generator = "add"', 'generator = "sub"'), 15, "no generator function 'sub'"),
    (('explanation = "Because."', ''), 3, "missing required key 'explanation'"),
])
def test_bad_catalog_names_file_and_line(tmp_path, change, line, message):
    with pytest.raises(CatalogError) as info:
        Quiz.from_lesson(lesson_with_quiz(tmp_path, GOOD.replace(*change), GEN))
    assert message in str(info.value)
    assert info.value.path.name == "quiz.toml" and info.value.line == line, str(info.value)


def test_every_builtin_numeric_question_is_answered_by_its_generator(registry):
    for lesson in registry:
        for q in lesson.quiz.questions:
            if q.kind == "numeric":
                posed = lesson.quiz.pose(q, "learner")
                assert posed.is_correct(posed.answer)
                assert "{" not in posed.prompt, (lesson.id, q.id)


@pytest.mark.parametrize("prompt, rounding", [
    ("Give it to 3 decimal places.", ("decimals", 3)),
    ("Give it to 1 decimal place.", ("decimals", 1)),
    ("Give it to 3 significant digits.", ("significant", 3)),
    ("How many rows does the output have?", ("decimals", 0)),
])
def test_the_prompt_says_how_to_round(prompt, rounding):
    from tutor.quiz import Posed, Question

    q = Question("q", "numeric", prompt, "", None, generator="g")
    assert q.rounding == rounding
    posed = Posed(q, prompt, "", 0.0)
    value = {"decimals": {3: 0.0125, 1: 2.25, 0: 6.5}, "significant": {3: 1234.5}}
    rounded = {("decimals", 3): {0.013, 0.012}, ("decimals", 1): {2.3, 2.2},
               ("decimals", 0): {7.0, 6.0}, ("significant", 3): {1230.0}}
    assert posed.rounded(value[rounding[0]][rounding[1]]) == rounded[rounding]


REDRAWN = """\
    def add(rng):
        a, b = int(rng.integers(1, 1000)), int(rng.integers(1, 1000))
        # forgetting b is a mistake this question catches; half the draws have b = 0
        if rng.random() < 0.5:
            b = 0
        return {"a": a, "b": b}, a + b, {"b forgotten": a}
"""


def test_posing_redraws_until_every_declared_wrong_answer_is_rejected(tmp_path):
    quiz = Quiz.from_lesson(lesson_with_quiz(tmp_path, GOOD, REDRAWN))
    num = quiz.questions[1]
    for learner in range(200):
        posed = quiz.pose(num, str(learner))
        assert posed.wrong and not posed.accepted_wrong()
        a, b = (int(v) for v in posed.prompt.removeprefix("What is ").rstrip("?").split(" + "))
        assert b != 0 and posed.answer == a + b and not posed.is_correct(a)


def test_a_wrong_answer_that_no_draw_rejects_is_a_lesson_error(tmp_path):
    always = GEN.replace("a + b\n", "a + b, {'the same': a + b + 0.001}\n")
    quiz = Quiz.from_lesson(lesson_with_quiz(tmp_path, GOOD, always))
    with pytest.raises(LessonError, match="never rejected 'the same'"):
        quiz.pose(quiz.questions[1], "me")


def sampled(tmp_path, prompt, generator, tolerance="0.01"):
    """The dev check's quiz sampling item for a lesson with one numeric question."""
    from tutor.devcheck import _quiz_samples

    toml = f"""\
        format = 1

        [[questions]]
        id = "num"
        kind = "numeric"
        prompt = "{prompt}"
        generator = "gen"
        tolerance = {tolerance}
        abs_tolerance = 0.0
        explanation = "{{answer}}"
    """
    (item,) = _quiz_samples(lesson_with_quiz(tmp_path, toml, generator))
    return item


def test_dev_check_samples_every_numeric_question(tmp_path):
    item = sampled(tmp_path, "What is {a} + {b}?", REDRAWN.replace("def add", "def gen"))
    assert item.ok, item.detail
    assert "× 1000 learners" in item.detail


@pytest.mark.parametrize("prompt, generator, tolerance, problem", [
    ("What is {a} + {b}?", GEN.replace("def add", "def gen"), "0.01",
     "declares no wrong answers"),
    ("What is {a} + {b}?",
     GEN.replace("def add", "def gen").replace("a + b\n", "a + b, {'b forgotten': a + 0.5 * b}\n"),
     "0.5", "never rejected 'b forgotten'"),
    ("What is {a} / 7? Give it to 1 decimal place.",
     "def gen(rng):\n    a = int(rng.integers(1, 100))\n    return {'a': a}, a / 7, {'a': a}\n",
     "0.001", "rounded to 1 decimal place ("),
    ("What is 1 / {a}?",
     "def gen(rng):\n    a = int(rng.integers(0, 3))\n    return {'a': a}, 1e308 * 10 / (a + 1),"
     " {'a': a}\n", "0.01", "gave the answer inf"),
])
def test_dev_check_fails_a_question_that_does_not_hold(tmp_path, prompt, generator, tolerance,
                                                      problem):
    item = sampled(tmp_path, prompt, generator, tolerance)
    assert not item.ok and problem in item.detail, item.detail
