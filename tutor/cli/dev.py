"""Commands for lesson authors."""

import sys
from pathlib import Path

import click

from .base import (
    cli,
    console,
    fail,
    registry,
)


@cli.group()
def dev() -> None:
    """Tools for lesson authors."""


@dev.command(name="check")
@click.argument("lesson_ids", nargs=-1, metavar="[LESSON]...")
@click.pass_context
def dev_check(ctx: click.Context, lesson_ids: tuple[str, ...]) -> None:
    """Authoring check of every installed lesson (or the ones named).

    Exits 0 when every lesson checked meets the bar and every installed lesson loads, 1
    otherwise.
    """
    from rich.markup import escape

    from ..devcheck import check_lesson, print_report

    out = console()
    reg = registry(ctx)
    for notice in reg.notices:
        out.print(f"[bold yellow]! note[/]  {escape(notice)}\n")
    for error in reg.errors:  # before the lessons: a broken lesson may be the one asked for
        out.print(f"[bold red]✗ a lesson could not be loaded[/]  {escape(str(error))}\n")
    unknown = [i for i in lesson_ids if reg.get(i) is None]
    if unknown:
        known = ", ".join(lesson.id for lesson in reg) or "none"
        fail(f"unknown lesson {unknown[0]!r} (installed: {known}). A lesson package is found "
             "once installed (`pip install -e DIR` while you write it), a lesson folder with "
             "--lessons-dir DIR or TUTOR_LESSONS_PATH=DIR"
             + ("; one that could not be loaded is reported above" if reg.errors else ""))
    lessons = [reg.by_id[i] for i in lesson_ids] or list(reg)
    failed = []
    for lesson in lessons:
        report = check_lesson(lesson)
        print_report(out, lesson, report)
        if not all(item.ok for item in report):
            failed.append(lesson.id)
    # The last line speaks for the exit status.
    problems = ([f"{', '.join(failed)} below the bar"] if failed else []) + (
        [f"{len(reg.errors)} lesson(s) could not be loaded"] if reg.errors else [])
    if problems:
        out.print(f"[bold red]dev check failed: {'; '.join(problems)}[/]")
    else:
        out.print(f"[bold green]dev check passed: {len(lessons)} lesson(s)[/]")
    sys.exit(1 if problems else 0)


@dev.command(name="new")
@click.argument("lesson_id", metavar="NAME")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.pass_context
def dev_new(ctx: click.Context, lesson_id: str, directory: Path | None) -> None:
    """Create a lesson package for the lesson NAME in DIR (default ./tutor-NAME).

    The package installs as it is (`pip install -e DIR`) and passes `tutor dev check NAME`
    except for the minimums, which it lists as the author's to-do.
    """
    from rich.markup import escape

    from ..devcheck import minimums
    from ..lesson import Lesson
    from ..scaffold import Names, ScaffoldError, create, default_directory

    try:
        names = Names.for_lesson(lesson_id)
    except ScaffoldError as e:
        fail(str(e))
    taken = registry(ctx).get(names.id)
    if taken is not None:
        fail(f"a lesson {names.id!r} is already installed ({taken.plugin}, {taken.folder}): "
             "pick another id")
    directory = directory or default_directory(names)
    try:
        create(names, directory)
    except (ScaffoldError, OSError) as e:
        fail(str(e))
    out = console()
    lesson = Lesson.from_folder(directory / names.package)
    # ./DIR: `pip install tutor-l2reg` would look for a project of that name on an index
    where = escape(str(directory) if directory.is_absolute() or str(directory).startswith(".")
                   else f"./{directory}")
    out.print(f"Created the lesson package [bold]{names.dist}[/] in {where}: lesson "
              f"[bold]{names.id}[/], with one example exercise, "
              f"{', '.join(e.name for e in lesson.exercises)}.\n")
    out.print("Next:")
    out.print(f"  pip install -e {where}   [dim]# once: tutor then sees every edit[/]")
    out.print(f"  tutor dev check {names.id}   [dim]# the authoring check, after each edit[/]")
    todo = [item for item in minimums(lesson) if not item.ok or item.warning]
    if todo:
        out.print("\nTo do: the example exercise is yours to replace, and every lesson meets "
                  "these minimums:")
        for item in todo:
            out.print(f"  - [bold]{item.name}[/]: {escape(item.detail)}")
    out.print("\nThe tutorial: docs/writing-lessons.md; every key of every file: "
              "docs/plugins.md.")
