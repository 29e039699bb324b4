"""Commands for lesson authors."""

import sys

import click

from .base import (
    cli,
    console,
    find_lesson,
    registry,
)


@cli.group()
def dev() -> None:
    """Tools for lesson authors."""


@dev.command(name="check")
@click.argument("lesson_ids", nargs=-1, metavar="[LESSON]...")
@click.pass_context
def dev_check(ctx: click.Context, lesson_ids: tuple[str, ...]) -> None:
    """Authoring check of every installed lesson (or the ones named)."""
    from ..devcheck import check_lesson, print_report

    lessons = [find_lesson(ctx, i) for i in lesson_ids] or list(registry(ctx))
    out = console()
    ok = not registry(ctx).errors
    for error in registry(ctx).errors:
        out.print(f"[bold red]✗ a lesson could not be loaded[/]  {error}\n")
    for lesson in lessons:
        report = check_lesson(lesson)
        print_report(out, lesson, report)
        ok = ok and all(item.ok for item in report)
    sys.exit(0 if ok else 1)
