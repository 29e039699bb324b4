"""`tutor grade`: grade a class's submissions into a gradebook, feedback and a summary."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .base import check_jail, cli, console, fail, find_lesson, jail_option, show_notices

if TYPE_CHECKING:
    from ..classroom.assignment import Assignment
    from ..classroom.results import StudentResult
    from ..lesson import Lesson


@cli.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--lesson", "lesson_id", required=True, help="The lesson graded, e.g. backprop.")
@click.option("--assignment", "assignment_path", type=click.Path(path_type=Path),
              help="The assignment file (TOML): exercises, points, visibility, seed, time "
                   "limit. Default: every exercise, 1 point, visible.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("grades"),
              show_default=True, help="Where the gradebook, results and summary go.")
@click.option("--jobs", type=click.IntRange(1, 512), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--seed", "secret", envvar="TUTOR_GRADE_SEED", metavar="SECRET",
              help="A secret that draws the graded cases (overrides the assignment's; also "
                   "read from TUTOR_GRADE_SEED). Never written into any output.")
@jail_option
@click.pass_context
def grade(ctx: click.Context, submissions: Path, lesson_id: str,
          assignment_path: Path | None, out: Path, jobs: int | None, secret: str | None,
          jail: str) -> None:
    """Grade every submission in SUBMISSIONS against a lesson, into --out.

    SUBMISSIONS holds one entry per student: a folder with LESSON.py (or one .py file), a
    file STUDENT.py, or a .zip of either; or Gradescope's "export submissions" folder.
    Writes gradebook.csv, results/STUDENT.json (Gradescope's format), junit.xml and
    summary.md. Results are kept as they arrive: run it again to continue after a stop.
    Exits 0 when every submission was graded (whatever the scores), 1 when some could not
    be, 2 for a usage error.
    """
    from ..classroom.submissions import discover

    lesson = find_lesson(ctx, lesson_id)
    assignment = _assignment(lesson, assignment_path, secret)
    if not submissions.is_dir():
        fail(f"no such folder: {submissions}" if not submissions.exists()
             else f"{submissions} is not a folder (SUBMISSIONS holds one entry per student)")
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file, not a folder")
    if out.resolve() == submissions.resolve():
        fail("--out must not be the submissions folder itself")
    check_jail(jail)
    found = discover(submissions, lesson.id, exclude=[out])
    if not found:
        fail(f"no submissions in {submissions} (one entry per student: a folder, a .py file "
             "or a .zip)")
    err = console_err()
    if jail == "none":
        click.echo("tutor: grading without the jail (--jail none): submissions run as you, "
                   "with your files and the network in reach", err=True)
    if assignment.seed is None:
        click.echo("tutor: no secret seed: grading on the public cases, which a file with "
                   "copied values passes (set seed in the assignment, or --seed)", err=True)
    out.mkdir(parents=True, exist_ok=True)
    students = _grade_all(ctx, lesson, assignment, found, out, jobs, jail, err)
    code = _write_outputs(lesson, assignment, students, out, jail)
    show_notices()
    sys.exit(code)


def console_err() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _assignment(lesson: "Lesson", path: Path | None, secret: str | None) -> "Assignment":
    from ..classroom.assignment import Assignment
    from ..schema import CatalogError

    if secret is not None and not secret.strip():
        fail("--seed must not be empty")
    if path is None:
        return Assignment.default(lesson).with_seed(secret)
    if not path.is_file():
        fail(f"no such assignment file: {path}")
    try:
        return Assignment.load(path, lesson).with_seed(secret)
    except CatalogError as e:
        fail(str(e))


def _grade_all(ctx: click.Context, lesson: "Lesson", assignment: "Assignment", found: list,
               out: Path, jobs: int | None, jail_mode: str, err: Any) -> list["StudentResult"]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..classroom import batch
    from ..classroom.results import ALARMING, ERROR, GRADED
    from ..sandbox import jail

    resolved = jail.resolve(jail_mode)
    store = batch.Store(out)
    work = batch.plan(found, assignment, lesson, resolved, store)
    results: dict[int, StudentResult] = {}
    by_key: dict[str, list[int]] = {}
    for i, key in work.keys.items():
        by_key.setdefault(key, []).append(i)
    tally = {"failing": 0, "errors": 0}

    def settle(i: int, result: dict | None) -> None:
        student = batch.student_result(found[i], result)
        results[i] = student
        score = sum(item.points for item in assignment.items
                    if (r := student.result(item.name)) is not None and r.passed)
        if student.status != GRADED or any(r.verdict in ALARMING for r in student.exercises):
            tally["errors"] += 1
        elif score < assignment.max_score:
            tally["failing"] += 1

    for i, sub in enumerate(found):
        if sub.refused:
            settle(i, None)
        elif work.keys[i] in work.known:
            settle(i, work.known[work.keys[i]])
    earlier = len(results) - sum(s.refused for s in found)
    progress = Progress(
        TextColumn("[bold]grading {task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("[red]failing {task.fields[failing]}[/] · [magenta]errors "
                   "{task.fields[errors]}[/]"), TimeRemainingColumn(), console=err,
        disable=not err.is_terminal, transient=True)
    if earlier:
        click.echo(f"tutor: {earlier} submission(s) already graded in {out} (kept from an "
                   "earlier run)", err=True)
    task = progress.add_task(lesson.id, total=len(found), completed=len(results),
                             failing=tally["failing"], errors=tally["errors"])

    def on_result(key: str, result: dict) -> None:
        if result.get("status") != ERROR:
            store.put(key, result)
        for i in by_key.get(key, []):
            settle(i, result)
        progress.update(task, completed=len(results), failing=tally["failing"],
                        errors=tally["errors"])

    def on_notice(text: str) -> None:
        progress.console.print(f"tutor: {text}", soft_wrap=True, markup=False)

    settings = batch.Settings(
        lesson.id, tuple(str(p) for p in ctx.find_root().obj.get("lessons_dirs", ())),
        tuple(item.name for item in assignment.items), assignment.seed_number(),
        assignment.time_limit, assignment.submission_time_limit, jail_mode)
    pool = batch.Pool(settings, min(jobs or batch.default_jobs(), max(1, len(work.jobs))))
    try:
        with progress:
            pool.run(work.jobs, on_result, on_notice)
    except (KeyboardInterrupt, click.Abort):
        click.echo(f"tutor: stopped: {len(results)} of {len(found)} submissions graded; their "
                   f"results are kept in {out}: run the same command again to continue",
                   err=True)
        raise
    except batch.GradingFailed as e:
        fail(f"grading stopped: {e}", code=1)
    if not err.is_terminal:
        click.echo(f"tutor: graded {len(found)} submission(s) ({tally['failing']} failing, "
                   f"{tally['errors']} with errors)", err=True)
    return [results[i] for i in range(len(found))]


def _write_outputs(lesson: "Lesson", assignment: "Assignment", students: list,
                   out: Path, jail: str) -> int:
    from rich.markdown import Markdown

    from ..classroom.exporters import load_exporters
    from ..classroom.results import GRADED, Gradebook
    from ..classroom.summary import summary_markdown

    book = Gradebook(assignment, lesson.title, students, jail,
                     diagnoses={d.id: d.message for d in lesson.diagnoses})
    code = 0 if all(s.status != "error" for s in students) else 1
    exporters = load_exporters()
    for problem in exporters.errors:
        click.echo(f"tutor: {problem}", err=True)
    written: list[str] = []
    for exporter in exporters:
        try:
            paths = exporter.write(book, out)
        except Exception as e:  # a plugin's bug must not lose the other outputs
            click.echo(f"tutor: exporter {exporter.name!r} failed: {type(e).__name__}: {e}",
                       err=True)
            code = 1
            continue
        names = sorted({p.relative_to(out).parts[0] for p in paths if p.is_relative_to(out)})
        written += [n + "/" if (out / n).is_dir() else n for n in names]
    text = summary_markdown(book, seeded=assignment.seed is not None)
    (out / "summary.md").write_text(text, encoding="utf-8")
    console().print(Markdown(text))
    graded = sum(s.status == GRADED for s in students)
    click.echo(f"tutor: {graded} of {len(students)} submissions graded; wrote {out}/: "
               + ", ".join([*written, "summary.md"]), err=True)
    return code
