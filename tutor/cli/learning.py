"""Commands for learning: init, list, hint, quiz, progress."""

import json
from pathlib import Path
from typing import Any

import click

from ..schema import LessonError
from .base import (
    cli,
    console,
    fail,
    find_exercise,
    find_lesson,
    open_store,
    registry,
    workspace,
)


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path) -> None:
    """Create a workspace in DIRECTORY: one stub file per lesson (never overwrites)."""
    from ..store import StoreError
    from ..workspace import Workspace

    try:
        ws = Workspace.create(directory)
    except (OSError, StoreError) as e:
        fail(f"cannot create a workspace in {directory}: {e}")
    out = console()
    for lesson in registry(ctx):
        path = ws.solution_path(lesson)
        try:
            added = ws.add_stub(lesson)
        except OSError as e:
            click.echo(f"tutor: could not write {path}: {e.strerror}", err=True)
            continue
        if added:
            out.print(f"  [green]created[/]  {path.name}")
        elif added is False:
            out.print(f"  [dim]kept[/]     {path.name} (already there)")
        elif lesson.exercises:
            out.print(f"  [yellow]skipped[/]  {path.name} (lesson {lesson.id!r} ships no stub)")
    where = directory if str(directory) != "." else Path("the current directory")
    out.print(f"\nWorkspace ready in {where}. Next: "
              + (f"[bold]cd {directory}[/] and " if str(directory) != "." else "")
              + "[bold]tutor check backprop[/] after editing backprop.py.")


@cli.command(name="list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Lessons and exercises, with pass/fail status in this workspace."""
    from rich.table import Table

    ws = workspace()
    store = open_store(ws)
    table = Table(title="Lessons", show_lines=False)
    table.add_column("lesson")
    table.add_column("exercise")
    table.add_column("status")
    for lesson in registry(ctx):
        table.add_row(f"[bold]{lesson.id}[/]", f"[bold]{lesson.title}[/]", "")
        for ex in lesson.exercises:
            status = "[dim]not tried[/]"
            if store:
                s = store.exercise_status(ex.id)
                if s.passed:
                    status = "[green]passed[/]"
                elif s.attempts:  # the latest verdict: a pass that now fails says so
                    status = f"[red]{s.last_verdict}[/] ({s.attempts} attempts" + (
                        ", [yellow]passed before[/])" if s.passed_before else ")")
            table.add_row("", ex.id, status)
        table.add_section()
    console().print(table)
    if ws is None:
        console().print("[dim]No workspace here: `tutor init DIR` creates one to record "
                        "progress.[/]")


@cli.command()
@click.argument("target")
@click.pass_context
def hint(ctx: click.Context, target: str) -> None:
    """Show the next hint for LESSON.EXERCISE (each hint is recorded)."""
    lesson, exercise = find_exercise(ctx, target)
    if exercise is None:
        fail("give an exercise, e.g. `tutor hint backprop.affine_backward`")
    ws = workspace()
    store = open_store(ws)
    shown = store.hints_shown(exercise.id) if store else 0
    ladder = exercise.hints
    if not ladder:
        fail(f"{exercise.id} has no hints", code=1)
    level = min(shown + 1, len(ladder))
    out = console()
    out.print(f"[bold]Hint {level} of {len(ladder)}[/] for {exercise.id}:\n")
    out.print(ladder[level - 1])
    if store:
        store.record_hint(exercise.id, level)
        store.close()
    if level == len(ladder):
        mistakes = [d.message for d in lesson.known_mistakes(exercise)]
        if mistakes:
            out.print("\n[bold]Mistakes often made here:[/]")
            for message in mistakes:
                out.print(f"  • {message}")
        out.print("\n[dim]That was the last hint. `tutor check` shows what is still wrong.[/]")
    else:
        out.print(f"\n[dim]Run `tutor hint {exercise.id}` again for the next one.[/]")


@cli.command()
@click.argument("lesson_id", metavar="LESSON")
@click.option("--retry", is_flag=True, help="Ask only the questions not yet answered right.")
@click.pass_context
def quiz(ctx: click.Context, lesson_id: str, retry: bool) -> None:
    """Take LESSON's quiz in the terminal."""
    from rich.markdown import Markdown

    from ..quiz import LETTERS

    lesson = find_lesson(ctx, lesson_id)
    ws = workspace()
    store = open_store(ws)
    learner = store.learner_id() if store else "anonymous"
    questions = lesson.quiz.questions
    if retry and store:
        right = {q for q, ok in store.quiz_score(lesson.id).items() if ok}
        questions = [q for q in questions if q.id not in right]
    out = console()
    if not questions:
        out.print("Nothing to ask: every question is answered right." if retry
                  else f"{lesson.id} has no quiz.")
        return
    score = 0
    for n, question in enumerate(questions, 1):
        try:
            posed = lesson.quiz.pose(question, learner)
        except LessonError as e:
            click.echo(f"tutor: question {question.id!r} skipped: {e}", err=True)
            continue
        out.rule(f"{lesson.title} · question {n} of {len(questions)}")
        out.print(Markdown(posed.prompt))
        for i, choice in enumerate(posed.choices):
            out.print(f"  [bold]{LETTERS[i]})[/] {choice}")
        while True:
            response = _ask("answer> ")
            if response is None:  # end of input: stop, keeping what was answered
                out.print(f"\nStopped. {score} of {n - 1} right so far"
                          + (" (saved)." if store else "."))
                return
            try:
                value = posed.parse(response)
                break
            except ValueError as e:
                out.print(f"[yellow]{e}[/]")
        correct = posed.is_correct(value)
        score += correct
        if store:
            store.record_answer(lesson.id, question.id, response.strip(), correct)
        if correct:
            out.print("[bold green]Right.[/]")
        else:
            out.print(f"[bold red]Not quite.[/] The answer is {posed.answer_text}.")
        out.print(Markdown(posed.explanation))
    out.rule()
    out.print(f"[bold]{score} of {len(questions)} right.[/]"
              + ("" if score == len(questions) else " `tutor quiz --retry` asks the others again."))
    if store:
        store.close()
    elif not ws:
        out.print("[dim]No workspace here, so answers were not recorded.[/]")


def _ask(prompt: str) -> str | None:
    """One line from the learner; None at end of input. Ctrl+C propagates (exit 130)."""
    try:
        return input(prompt)
    except EOFError:
        return None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Export everything recorded as JSON.")
@click.pass_context
def progress(ctx: click.Context, as_json: bool) -> None:
    """What is done: exercises passed, attempts, hints, quiz scores."""
    from rich.table import Table

    ws = workspace()
    if ws is None:
        fail("no workspace here (`tutor init DIR` creates one)")
    store = open_store(ws, required=True)
    if as_json:
        data = store.export()
        data["lessons"] = _progress_rows(ctx, store)
        click.echo(json.dumps(data, indent=2))
        return
    from ..progress import duration

    table = Table(title=f"Progress in {ws.root}")
    for col in ("lesson", "read", "quiz", "exercises passed", "attempts", "hints", "time"):
        table.add_column(col, justify="left" if col == "lesson" else "right")
    for row in _progress_rows(ctx, store):
        done = row["passed"] == row["exercises"] and row["exercises"]
        table.add_row(row["lesson"], f"{row['pages_read']}/{row['pages']}",
                      f"{row['quiz_right']}/{row['quiz_total'] or '?'}",
                      f"[{'green' if done else 'default'}]{row['passed']}/"
                      f"{row['exercises']}[/]", str(row["attempts"]), str(row["hints"]),
                      duration(row["seconds"]))
    console().print(table)
    store.close()


def _progress_rows(ctx: click.Context, store: Any) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from ..progress import lesson_progress

    rows = []
    for lesson in registry(ctx):
        row = asdict(lesson_progress(lesson, store))
        del row["next"], row["title"]
        rows.append(row)
    return rows
