"""`tutor check`: grade a learner's file and record the attempts."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .base import (
    check_jail,
    cli,
    console,
    fail,
    find_exercise,
    jail_option,
    open_store,
    show_notices,
    workspace,
)

if TYPE_CHECKING:
    from ..workspace import Workspace


@cli.command()
@click.argument("target")
@click.option("--file", "file", type=click.Path(path_type=Path),
              help="Grade this file instead of the workspace's LESSON.py.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Wall-clock seconds allowed per exercise.")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True,
              help="Vary the generated cases (0 = the standard cases).")
@click.option("-v", "--verbose", is_flag=True, help="Show every check.")
@jail_option
@click.pass_context
def check(ctx: click.Context, target: str, file: Path | None, as_json: bool, timeout: float,
          seed: int, verbose: bool, jail: str) -> None:
    """Grade TARGET (a lesson, or LESSON.EXERCISE) in ./LESSON.py or --file.

    Exits 0 when every graded exercise passes, 1 when any fails, 2 for a usage error.
    """
    from ..grader import Grader
    from ..report import render_result, to_json
    from ..sandbox.supervisor import Limits

    lesson, exercise = find_exercise(ctx, target)
    ws = workspace()
    if file is None:
        file = (ws.root if ws else Path.cwd()) / f"{lesson.id}.py"
        if not file.is_file():
            fail(f"no {file.name} in {file.parent} (run `tutor init` or pass --file)")
    elif not file.is_file():
        fail(f"no such file: {file}")
    if not 0 < timeout <= 86400:  # also refuses nan and inf
        fail("--timeout must be a number of seconds between 0 and 86400")
    check_jail(jail)
    grader = Grader(lesson, file, Limits(seconds=timeout, jail=jail), seed=seed)
    show_notices()
    out = console()
    try:
        exercises = [exercise] if exercise else list(lesson.exercises)
        on_result = None if as_json else (lambda r: out.print(render_result(r, verbose)))
        results = grader.grade(exercises, on_result=on_result)
    finally:
        grader.close()
    show_notices()
    _record(ws, file, results)  # before the summary: a closed pipe must not lose progress
    if as_json:
        out.out(json.dumps(to_json(lesson.id, str(file), results), indent=2, allow_nan=False),
                highlight=False)
    else:
        _footer(out, results)
    sys.exit(0 if all(r.passed for r in results) else 1)


def _footer(out: Any, results: Any) -> None:
    passed = sum(r.passed for r in results)
    style = "bold green" if passed == len(results) else "bold"
    out.print(f"\n[{style}]{passed} of {len(results)} exercises pass.[/]")
    if passed < len(results):
        first = next(r for r in results if not r.passed)
        out.print(f"[dim]Stuck? `tutor hint {first.exercise}`[/]")


def _record(ws: "Workspace | None", file: Path, results: Any) -> None:
    """Record attempts in the workspace that holds the graded file, if any; a file other
    than that workspace's own LESSON.py (`--file`) is recorded as such, so it counts in
    neither the exercise's attempts nor its status."""
    import sqlite3

    from ..progress import record_results
    from ..workspace import Workspace

    ws = Workspace.find(file.resolve().parent) or ws
    store = open_store(ws)
    if store is None or ws is None:
        return
    lesson = results[0].exercise.split(".")[0] if results else ""
    own = file.resolve() == (ws.root / f"{lesson}.py").resolve()
    try:
        record_results(store, file.resolve() if own else file, results, other_file=not own)
    except sqlite3.Error as e:
        click.echo(f"tutor: progress not recorded ({e})", err=True)
    finally:
        store.close()
