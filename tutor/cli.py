"""The ``tutor`` command line. Plain commands here; the terminal app lives in ``tutor.app``.

Imports stay inside the commands: ``tutor --help`` must not pay for NumPy, and nothing here
imports Numba.
"""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .schema import LessonError

if TYPE_CHECKING:
    from .lesson import Exercise, Lesson
    from .plugins import Registry
    from .workspace import Workspace


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"tutor: {message}", err=True)
    sys.exit(code)


def registry(ctx: click.Context) -> "Registry":
    from .plugins import load_registry

    obj = ctx.find_root().ensure_object(dict)
    if "registry" not in obj:
        obj["registry"] = load_registry(obj.get("lessons_dirs", ()))
        if ctx.find_root().invoked_subcommand != "dev":  # dev check reports them itself
            for error in obj["registry"].errors:
                click.echo(f"tutor: skipped a broken lesson: {error}", err=True)
    return obj["registry"]


def find_lesson(ctx: click.Context, lesson_id: str) -> "Lesson":
    lesson = registry(ctx).get(lesson_id)
    if lesson is None:
        known = ", ".join(lesson.id for lesson in registry(ctx)) or "none"
        fail(f"unknown lesson {lesson_id!r} (installed: {known})")
    return lesson


def find_exercise(ctx: click.Context, target: str) -> tuple["Lesson", "Exercise | None"]:
    """'backprop' or 'backprop.affine_backward'."""
    lesson_id, _, name = target.partition(".")
    lesson = find_lesson(ctx, lesson_id)
    if not name:
        return lesson, None
    try:
        return lesson, lesson.exercise(name)
    except KeyError:
        names = ", ".join(e.name for e in lesson.exercises)
        fail(f"lesson {lesson.id!r} has no exercise {name!r} (it has: {names})")


def workspace() -> "Workspace | None":
    from .workspace import Workspace

    return Workspace.find()


def open_store(ws: "Workspace | None", required: bool = False) -> Any:
    """The workspace's progress store; a store that cannot be used is reported in one line
    and the command goes on without recording (or stops, when the store is the point)."""
    import sqlite3

    from .store import StoreError

    if ws is None:
        return None
    try:
        return ws.store()
    except (StoreError, sqlite3.Error) as e:
        if required:
            fail(f"cannot read progress: {e}", code=1)
        click.echo(f"tutor: progress not available ({e})", err=True)
        return None


def console() -> Any:
    from rich.console import Console

    class PipeSafeConsole(Console):
        """Stops printing quietly when the reader goes away (`tutor check | head`), so the
        command still finishes its work (grading, recording progress)."""

        def on_broken_pipe(self) -> None:
            import os

            self.quiet = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    return PipeSafeConsole(highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lessons-dir", "lessons_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also load lesson folders from DIR (repeatable; like TUTOR_LESSONS_PATH).")
@click.version_option(package_name="tutor")
@click.pass_context
def cli(ctx: click.Context, lessons_dirs: tuple[Path, ...]) -> None:
    """Learn how deep learning works inside: read, answer, write the code, get it graded."""
    ctx.ensure_object(dict)["lessons_dirs"] = lessons_dirs


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path) -> None:
    """Create a workspace in DIRECTORY: one stub file per lesson (never overwrites)."""
    from .store import StoreError
    from .workspace import Workspace

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
                elif s.attempts:
                    status = f"[red]{s.last_verdict}[/] ({s.attempts} attempts)"
            table.add_row("", ex.id, status)
        table.add_section()
    console().print(table)
    if ws is None:
        console().print("[dim]No workspace here: `tutor init DIR` creates one to record "
                        "progress.[/]")


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
@click.pass_context
def check(ctx: click.Context, target: str, file: Path | None, as_json: bool, timeout: float,
          seed: int, verbose: bool) -> None:
    """Grade TARGET (a lesson, or LESSON.EXERCISE) in ./LESSON.py or --file.

    Exits 0 when every graded exercise passes, 1 when any fails, 2 for a usage error.
    """
    from .grader import Grader
    from .report import render_result, to_json
    from .sandbox.supervisor import Limits

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
    grader = Grader(lesson, file, Limits(seconds=timeout), seed=seed)
    out = console()
    try:
        exercises = [exercise] if exercise else list(lesson.exercises)
        on_result = None if as_json else (lambda r: out.print(render_result(r, verbose)))
        results = grader.grade(exercises, on_result=on_result)
    finally:
        grader.close()
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
    """Record attempts in the workspace that holds the graded file, if any."""
    import sqlite3

    from .workspace import Workspace

    ws = Workspace.find(file.resolve().parent) or ws
    store = open_store(ws)
    if store is None:
        return
    try:
        for r in results:
            store.record_attempt(r.exercise, r.verdict, sum(c.passed for c in r.checks),
                                 len(r.checks), r.seconds, str(file))
    except sqlite3.Error as e:
        click.echo(f"tutor: progress not recorded ({e})", err=True)
    finally:
        store.close()


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
        mistakes = [d.message for d in _known_mistakes(lesson, exercise)]
        if mistakes:
            out.print("\n[bold]Mistakes often made here:[/]")
            for message in mistakes:
                out.print(f"  • {message}")
        out.print("\n[dim]That was the last hint. `tutor check` shows what is still wrong.[/]")
    else:
        out.print(f"\n[dim]Run `tutor hint {exercise.id}` again for the next one.[/]")


def _known_mistakes(lesson: "Lesson", exercise: "Exercise") -> list[Any]:
    """The lesson's diagnoses that its mutants of this exercise stand for."""
    ids = {m.diagnosis for m in lesson.usable_mutants() if m.exercise == exercise.name}
    return [d for d in lesson.diagnoses if d.id in ids]


@cli.command()
@click.argument("lesson_id", metavar="LESSON")
@click.option("--retry", is_flag=True, help="Ask only the questions not yet answered right.")
@click.pass_context
def quiz(ctx: click.Context, lesson_id: str, retry: bool) -> None:
    """Take LESSON's quiz in the terminal."""
    from rich.markdown import Markdown

    from .quiz import LETTERS

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
    table = Table(title=f"Progress in {ws.root}")
    for col in ("lesson", "exercises passed", "attempts", "hints", "quiz"):
        table.add_column(col, justify="left" if col == "lesson" else "right")
    for row in _progress_rows(ctx, store):
        done = row["passed"] == row["exercises"] and row["exercises"]
        table.add_row(row["lesson"], f"[{'green' if done else 'default'}]{row['passed']}/"
                      f"{row['exercises']}[/]", str(row["attempts"]), str(row["hints"]),
                      f"{row['quiz_right']}/{row['quiz_total'] or '?'}")
    console().print(table)
    store.close()


def _progress_rows(ctx: click.Context, store: Any) -> list[dict[str, Any]]:
    rows = []
    for lesson in registry(ctx):
        statuses = [store.exercise_status(e.id) for e in lesson.exercises]
        answers = store.quiz_score(lesson.id)
        try:
            quiz_total: int | None = len(lesson.quiz.questions)
        except LessonError:
            quiz_total = None  # a broken quiz catalog; `tutor dev check` says why
        rows.append({"lesson": lesson.id, "exercises": len(statuses),
                     "passed": sum(s.passed for s in statuses),
                     "attempts": sum(s.attempts for s in statuses),
                     "hints": sum(s.hints for s in statuses),
                     "quiz_right": sum(answers.values()),
                     "quiz_total": quiz_total})
    return rows


@cli.command()
@click.argument("lesson_id", metavar="LESSON")
@click.option("--reference", is_flag=True, help="Use the reference even if yours pass.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Change a parameter of the experiment (repeatable).")
@click.pass_context
def run(ctx: click.Context, lesson_id: str, reference: bool, overrides: tuple[str, ...]) -> None:
    """Run LESSON's experiment: with your functions once they all pass."""
    from rich.live import Live

    from . import experiment

    lesson = find_lesson(ctx, lesson_id)
    if not lesson.has_module("experiment"):
        fail(f"lesson {lesson.id!r} has no experiment")
    try:
        params = experiment.parse_params(lesson, overrides)
    except LessonError:
        raise  # a broken experiment.py: reported by main() as the lesson's problem
    except ValueError as e:
        fail(str(e))
    ws = workspace()
    store = open_store(ws)
    setup = experiment.setup(lesson, ws.solution_path(lesson) if ws else None, store, reference)
    out = console()
    module = lesson.module("experiment")
    out.print(f"[bold]{getattr(module, 'TITLE', lesson.title)}[/] — with {setup.who} "
              f"[dim]({setup.reason})[/]")
    last = None
    try:
        if out.is_terminal:
            with Live(console=out, auto_refresh=False, transient=False) as live:
                for frame in experiment.frames(lesson, setup.ops, params):
                    live.update(frame, refresh=True)
                    last = frame
        else:
            for frame in experiment.frames(lesson, setup.ops, params):
                last = frame
            if last is not None:
                out.print(last)
    except experiment.LearnerError as e:
        fail(f"the experiment stopped: {e}", code=1)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:
        if setup.sandbox is not None:  # the learner's functions gave something unusable
            fail(f"the experiment stopped: your functions returned something it cannot use "
                 f"({type(e).__name__}: {e})", code=1)
        fail(f"the experiment failed with {params or 'its defaults'}: "
             f"{type(e).__name__}: {e}", code=1)
    finally:
        setup.close()
        if store:
            store.close()
    if last is None:
        out.print("The experiment had nothing to show with these settings.")


@cli.command()
@click.argument("target", metavar="LESSON.FUNCTION")
@click.option("--size", type=click.IntRange(1, 100_000), default=None,
              help="Problem size (the lesson's race_inputs decide what it scales); "
                   "256, or 16 under the simulator.")
@click.option("--repeat", type=click.IntRange(1, 1000), default=5, show_default=True)
@click.option("--simulator", is_flag=True,
              help="Also race the CUDA kernels under the simulator when there is no GPU "
                   "(correctness only: very slow, keep --size small).")
@click.pass_context
def race(ctx: click.Context, target: str, size: int | None, repeat: int,
         simulator: bool) -> None:
    """Race the lesson's NumPy, Numba and CUDA versions of a function on the same inputs."""
    import numpy as np
    from rich.table import Table

    from . import accel
    from .race import Mismatch
    from .race import race as run_race

    lesson, exercise = find_exercise(ctx, target)
    if exercise is None:
        fail("give a function, e.g. `tutor race backprop.affine_forward`")
    make = getattr(lesson.module("cases"), "race_inputs", None)
    if make is None:
        fail(f"lesson {lesson.id!r} has no race_inputs in its cases.py")
    backends = ["numpy", "numba"]
    out = console()
    gpu = accel.select_cuda_target() == "gpu"
    if gpu or simulator:
        backends.append("cuda")
    else:
        out.print("[dim]No GPU found: the CUDA kernels are left out (--simulator runs them "
                  "under the simulator, for correctness only).[/]")
    if size is None:
        size = 256 if gpu or not simulator else 16
    with out.status("compiling and timing…"):
        try:
            args = make(exercise.name, np.random.default_rng(0), size)
            timings = run_race(lesson, exercise.name, args, backends, repeat)
        except Mismatch as e:
            fail(str(e), code=1)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:  # too big for memory, or a lesson's race inputs that fail
            fail(f"the race failed at size {size}: {type(e).__name__}: {e}", code=1)
    base = next(t.seconds for t in timings if t.backend == "numpy")
    table = Table(title=f"{exercise.id}, size {size}")
    for col in ("backend", "best time", "vs NumPy", "first call extra", "max rel error"):
        table.add_column(col, justify="left" if col == "backend" else "right")
    for t in timings:
        name = t.backend + (" (simulator)" if t.backend == "cuda" and not gpu else "")
        table.add_row(name, f"{t.seconds * 1e3:.3f} ms", f"{base / t.seconds:.2f}x",
                      f"{t.compile_seconds:.2f} s", f"{t.max_rel_error:.1e}")
    out.print(table)


@cli.group()
def dev() -> None:
    """Tools for lesson authors."""


@dev.command(name="check")
@click.argument("lesson_ids", nargs=-1, metavar="[LESSON]...")
@click.pass_context
def dev_check(ctx: click.Context, lesson_ids: tuple[str, ...]) -> None:
    """Authoring check of every installed lesson (or the ones named)."""
    from .devcheck import check_lesson, print_report

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


def main() -> None:
    """Entry point: usage errors exit 2, Ctrl+C exits 130 with one line, never a traceback."""
    import sqlite3

    try:
        code = cli.main(prog_name="tutor", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as e:  # bare `tutor` or `tutor dev`
        click.echo(e.ctx.get_help() if e.ctx else "")
        sys.exit(0)
    except click.UsageError as e:  # one line, as for tutor's own usage errors
        hint = f" (see `{e.ctx.command_path} --help`)" if e.ctx else ""
        click.echo(f"tutor: {e.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except LessonError as e:
        click.echo(f"tutor: a lesson is broken (its author must fix it): {e}", err=True)
        sys.exit(1)
    except sqlite3.Error as e:  # a progress file damaged while in use
        click.echo(f"tutor: the progress file could not be used: {e}", err=True)
        sys.exit(1)
    except (KeyboardInterrupt, click.Abort):
        click.echo("\ntutor: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
