"""The ``tutor`` group, its entry point, and what every command shares."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..schema import LessonError

if TYPE_CHECKING:
    from ..lesson import Exercise, Lesson
    from ..plugins import Registry
    from ..workspace import Workspace


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"tutor: {message}", err=True)
    sys.exit(code)


def registry(ctx: click.Context) -> "Registry":
    from ..plugins import load_registry

    obj = ctx.find_root().ensure_object(dict)
    if "registry" not in obj:
        obj["registry"] = load_registry(obj.get("lessons_dirs", ()))
        if ctx.find_root().invoked_subcommand != "dev":  # dev check reports them itself
            for error in obj["registry"].errors:
                click.echo(f"tutor: skipped a broken lesson: {error}", err=True)
            for notice in obj["registry"].notices:
                click.echo(f"tutor: {notice}", err=True)
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
    from ..workspace import Workspace

    return Workspace.find()


def open_store(ws: "Workspace | None", required: bool = False) -> Any:
    """The workspace's progress store; a store that cannot be used is reported in one line
    and the command goes on without recording (or stops, when the store is the point)."""
    import sqlite3

    from ..store import StoreError

    if ws is None:
        return None
    try:
        return ws.store()
    except (StoreError, sqlite3.Error) as e:
        if required:
            fail(f"cannot read progress: {e}", code=1)
        click.echo(f"tutor: progress not available ({e})", err=True)
        return None


def jail_option(fn: Any) -> Any:
    """``--jail auto|bwrap|none`` for every command that runs learner code."""
    return click.option(
        "--jail", type=click.Choice(["auto", "bwrap", "none"]), default="auto",
        show_default=True,
        help="Run the learner's code in a bubblewrap jail: auto uses it where it works, "
             "bwrap requires it, none runs without it.")(fn)


def check_jail(mode: str) -> None:
    """A usage error when the jail is required and cannot be used here."""
    from ..sandbox import jail

    try:
        jail.resolve(mode)
    except jail.JailError as e:
        fail(f"--jail {mode}: {e}")


def show_notices() -> None:
    """One-line notices from the sandbox (the jail fell back, ...), each shown once."""
    from ..sandbox import jail

    for notice in jail.notices():
        click.echo(f"tutor: {notice}", err=True)


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl+C, so the learner's process and scratch
    folders are cleaned up on the way out."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


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


def main() -> None:
    """Entry point: usage errors exit 2, Ctrl+C exits 130 with one line, never a traceback."""
    import signal
    import sqlite3

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
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
    except Terminated as e:
        signal.signal(e.signum, signal.SIG_IGN)  # a second one while exiting changes nothing
        click.echo(f"\ntutor: stopped by {signal.Signals(e.signum).name}", err=True)
        sys.exit(128 + e.signum)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
