"""docs/instructors.md keeps up with the code: its assignment file loads, its key table
lists every key, and the commands it shows have the options it names."""

import re

from conftest import REPO

from tutor.classroom.assignment import Assignment
from tutor.cli import cli

DOC = (REPO / "docs" / "instructors.md").read_text()


def test_the_assignment_file_shown_loads(tmp_path, backprop):
    text = re.search(r"```toml\n(# Assignment 1.*?)```", DOC, re.S).group(1)
    path = tmp_path / "a1-backprop.toml"
    path.write_text(text)
    a = Assignment.load(path, backprop)
    assert a.max_score == 15 and a.seed == "bluebird-cactus-71" and a.time_limit == 5
    assert a.items[-1].visibility == "after_due_date"


def test_every_key_of_the_assignment_file_is_in_the_table():
    source = (REPO / "tutor" / "classroom" / "assignment.py").read_text()
    keys = set()
    for group in re.findall(r"\.unknown\(\{(.*?)\}\)", source, re.S):
        keys |= set(re.findall(r'"(\w+)"', group))
    assert keys >= {"format", "seed", "points", "visibility"}
    for key in keys:
        assert f"| `{key}` |" in DOC or f"| `[[{key}]]` |" in DOC, key


def test_the_commands_shown_have_the_options_named():
    for name, options in (("grade", ["--lesson", "--assignment", "--out", "--jobs", "--seed",
                                     "--jail"]),
                          ("export", ["--assignment", "-o"])):
        command = cli.commands[name]
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert set(options) <= known, (name, set(options) - known)
        for option in options:
            assert option in DOC.split("```", 2)[1], option  # the synopsis at the top
