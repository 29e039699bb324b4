"""The documentation keeps up with the code: contract page, verdicts, commands."""

import re

from conftest import REPO

from tutor.grader import VERDICTS

README = (REPO / "README.md").read_text()


def test_every_builtin_exercise_is_in_the_contract_page(registry):
    page = (REPO / "docs" / "exercises.md").read_text()
    for lesson in registry:
        if not lesson.plugin.startswith("tutor_lessons."):
            continue
        assert f"## {lesson.id} " in page
        for ex in lesson.exercises:
            assert f"`{ex.signature}`" in page, ex.id


def test_every_verdict_is_explained_in_the_readme():
    for verdict in VERDICTS:
        if verdict != "skipped":
            assert f"`{verdict}`" in README, verdict


def test_verdicts_the_sandbox_reports_are_known():
    source = (REPO / "tutor" / "sandbox" / "child.py").read_text()
    source += (REPO / "tutor" / "sandbox" / "supervisor.py").read_text()
    source += (REPO / "tutor" / "compare.py").read_text()
    kinds = set(re.findall(r'(?:failure|Outcome\(False,|Mismatch\()\s*"([a-z-]+)"', source))
    assert kinds and kinds <= set(VERDICTS), kinds - set(VERDICTS)


def test_readme_quick_start_is_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert [b.strip() for b in blocks] == ["pip install . && tutor start",
                                           "pip install '.[test]' && pytest"]
    ci = (REPO / ".ci" / "run").read_text()
    assert "pip install '.[test]' && pytest" in ci
