"""`tutor start`: the terminal app."""

from pathlib import Path

import click

from .base import check_jail, cli, jail_option


@cli.command()
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Use (or create) the workspace in DIR instead of looking for one.")
@jail_option
@click.pass_context
def start(ctx: click.Context, workspace: Path | None, jail: str) -> None:
    """Open the app: lessons, reading, quizzes, and your code graded as you save."""
    from ..app import make_app

    check_jail(jail)
    lessons_dirs = ctx.find_root().ensure_object(dict).get("lessons_dirs", ())
    make_app(workspace=workspace, lessons_dirs=lessons_dirs, jail=jail).run()
