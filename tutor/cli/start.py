"""`tutor start`: the terminal app."""

from pathlib import Path

import click

from .base import cli


@cli.command()
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Use (or create) the workspace in DIR instead of looking for one.")
@click.pass_context
def start(ctx: click.Context, workspace: Path | None) -> None:
    """Open the app: lessons, reading, quizzes, and your code graded as you save."""
    from ..app import make_app

    lessons_dirs = ctx.find_root().ensure_object(dict).get("lessons_dirs", ())
    make_app(workspace=workspace, lessons_dirs=lessons_dirs).run()
