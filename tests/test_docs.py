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


def test_every_key_of_every_lesson_file_is_in_the_reference():
    """The keys lesson.toml and quiz.toml accept (their schema's allowed sets) are each
    documented in docs/plugins.md, as are the files a lesson folder may hold."""
    from tutor.devcheck import ALLOWED_DIRS, ALLOWED_FILES

    reference = (REPO / "docs" / "plugins.md").read_text()
    source = (REPO / "tutor" / "lesson.py").read_text() + (REPO / "tutor" / "quiz.py").read_text()
    keys = {k for group in re.findall(r"unknown\(\{(.*?)\}\)", source, re.S)
            for k in re.findall(r'"(\w+)"', group)}
    assert {"id", "signature", "wrt", "abs_tolerance", "misconception"} <= keys
    for key in sorted(keys):
        assert f"`{key}`" in reference, key
    for name in sorted(ALLOWED_FILES):
        assert f"`{name}`" in reference, name
    for folder, suffix in ALLOWED_DIRS.items():
        assert f"`{folder}/*{suffix}`" in reference or f"`{folder}/`" in reference, folder
    for name in ("EXERCISE", "DIAGNOSIS", "TITLE", "PARAMS", "frames(ops, **params)",
                 "race_inputs(name, rng, size)", "BENCHMARKS"):
        assert f"`{name}`" in reference, name


def test_the_minimums_are_documented_with_their_numbers():
    from tutor.devcheck import MIN_WORDS, MINIMUMS

    reference = (REPO / "docs" / "plugins.md").read_text()
    tutorial = (REPO / "docs" / "writing-lessons.md").read_text()
    for m in MINIMUMS:
        assert re.search(rf"\| `{m.name}` \| {m.least} ", reference), m.name
        assert re.search(rf"\| {m.name} \| {m.least} ", tutorial), m.name
    assert f"{MIN_WORDS:,}" in reference and f"{MIN_WORDS:,}" in tutorial


def test_the_tutorial_shows_the_package_tutor_dev_new_writes(tmp_path):
    from tutor.plugins import PACKAGE_DATA
    from tutor.scaffold import Names, create

    tutorial = (REPO / "docs" / "writing-lessons.md").read_text()
    reference = (REPO / "docs" / "plugins.md").read_text()
    written = create(Names.for_lesson("l2reg"), tmp_path / "tutor-l2reg")
    for path in written:
        if path.name not in (".gitignore", "README.md"):
            assert path.name in tutorial or f"{path.parent.name}/*.py" in tutorial, path.name
    assert f"tutor_l2reg = {PACKAGE_DATA}" in reference
    pyproject = (tmp_path / "tutor-l2reg" / "pyproject.toml").read_text()
    block = reference.split("Its `pyproject.toml`:", 1)[1].split("```toml\n", 1)[1]
    for line in block.split("```", 1)[0].splitlines():
        assert line in pyproject.splitlines(), line  # the docs show the real file, abridged


def test_what_tutor_leaves_in_a_clone_is_ignored():
    """`tutor start` from the repository root makes ./tutor-workspace (stubs that would fail
    the lint test); a failed snapshot test writes snapshot_report.html."""
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert "tutor-workspace/" in ignored and "snapshot_report.html" in ignored
