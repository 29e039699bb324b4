"""The assignment file: typed, versioned, and every mistake named with file and line."""

import textwrap

import pytest

from tutor.classroom.assignment import Assignment
from tutor.schema import CatalogError


def write(tmp_path, text):
    path = tmp_path / "a1.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_full_assignment(tmp_path, backprop):
    path = write(tmp_path, """\
        format = 1
        lesson = "backprop"
        title = "Assignment 1"
        seed = "only the staff know this"
        time_limit = 2.5
        submission_time_limit = 30

        [[exercises]]
        name = "affine_backward"
        points = 2

        [[exercises]]
        name = "backprop.relu_backward"   # a full exercise id works too
        points = 0.5
        visibility = "after_due_date"
    """)
    a = Assignment.load(path, backprop)
    assert [i.name for i in a.items] == ["affine_backward", "relu_backward"]
    assert [i.points for i in a.items] == [2.0, 0.5]
    assert [i.visibility for i in a.items] == ["visible", "after_due_date"]
    assert (a.title, a.seed, a.time_limit, a.submission_time_limit) == (
        "Assignment 1", "only the staff know this", 2.5, 30.0)
    assert a.max_score == 2.5


def test_without_a_file_every_exercise_counts_one_point(backprop):
    a = Assignment.default(backprop)
    assert [i.name for i in a.items] == [e.name for e in backprop.exercises]
    assert {i.points for i in a.items} == {1.0} and {i.visibility for i in a.items} == {"visible"}
    assert a.seed is None and a.seed_number() == 0  # the public cases


def test_the_secret_seed_draws_other_cases_than_the_public_ones(backprop):
    a = Assignment.default(backprop)
    secret = a.with_seed("s3cret")
    assert secret.seed_number() not in (0, a.with_seed("other").seed_number())
    assert secret.seed_number() == a.with_seed("s3cret").seed_number()  # reproducible
    assert secret.grading_key() != a.grading_key()
    # points and visibility do not change a verdict, so they are not part of the key
    from dataclasses import replace
    cheaper = replace(a, items=tuple(replace(i, points=5, visibility="hidden")
                                     for i in a.items))
    assert cheaper.grading_key() == a.grading_key()


@pytest.mark.parametrize("body, line, message", [
    ('[[exercises]]\nname = "affine_forward"\npoints = -1\n', 4,
     "exercise 1: 'points' must be 0 or more, not -1"),
    ('[[exercises]]\nname = "affine_forward"\n\n[[exercises]]\nname = "nope"\n', 6,
     "exercise 2: lesson 'backprop' has no exercise 'nope' (it has: affine_forward,"),
    ('[[exercises]]\nname = "affine_forward"\nvisibility = "secret"\n', 4,
     "'visibility' must be one of visible, hidden, after_due_date, after_published"),
    ('[[exercises]]\nname = "affine_forward"\npoints = "two"\n', 4,
     "'points' must be an int or float, not 'two'"),
    ('[[exercises]]\nname = "affine_forward"\n[[exercises]]\nname = "affine_forward"\n', 5,
     "exercise 'affine_forward' is listed twice"),
    ('lesson = "sgd"\n', 2, "this assignment is for lesson 'sgd', not 'backprop'"),
    ('time_limit = 0\n', 2, "'time_limit' must be a number from 0.1 to 3600"),
    ('seed = 42\n', 2, "'seed' must be a str, not 42"),
    ('seed = " "\n', 2, "'seed' must not be empty"),
    ('points = 3\n', 2, "unknown key 'points'"),
    ('exercises = []\n', 2, "'exercises' names no exercise"),
    ('[[exercises]]\nname = "affine_forward"\nweight = 1\n', 4, "unknown key 'weight'"),
    ('seed = "unterminated\n', 2, "not valid TOML"),
])
def test_mistakes_name_file_and_line(tmp_path, backprop, body, line, message):
    path = write(tmp_path, "format = 1\n" + body)
    with pytest.raises(CatalogError) as info:
        Assignment.load(path, backprop)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)


def test_the_format_is_versioned(tmp_path, backprop):
    with pytest.raises(CatalogError, match="format = 2: this version of tutor reads format = 1"):
        Assignment.load(write(tmp_path, "format = 2\n"), backprop)
    with pytest.raises(CatalogError, match="format = None"):
        Assignment.load(write(tmp_path, 'lesson = "backprop"\n'), backprop)
