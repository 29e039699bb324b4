"""Quiz catalogs: typed, with errors naming file and line, posed reproducibly per learner."""

import textwrap

import pytest

from tutor import Lesson
from tutor.quiz import Quiz
from tutor.schema import CatalogError


def lesson_with_quiz(tmp_path, quiz_toml, quiz_py=""):
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
