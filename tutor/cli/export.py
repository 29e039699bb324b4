"""`tutor export`: what an exporter needs to grade a lesson elsewhere (Gradescope's
autograder zip)."""

from pathlib import Path

import click

from .base import cli, fail, find_lesson


@cli.command()
@click.argument("format_name", metavar="FORMAT")
@click.argument("lesson_id", metavar="LESSON")
@click.option("--assignment", "assignment_path", type=click.Path(path_type=Path),
              help="The assignment file to grade with (copied into the export, seed and all).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Where to write it, e.g. autograder.zip.")
@click.pass_context
def export(ctx: click.Context, format_name: str, lesson_id: str,
           assignment_path: Path | None, output: Path) -> None:
    """Write what FORMAT needs to grade LESSON elsewhere.

    `tutor export gradescope backprop -o autograder.zip` writes a Gradescope autograder:
    setup.sh, run_autograder, the assignment and the wheels of tutor and of the lesson's
    package, with every dependency's version pinned.
    """
    from ..classroom.autograder import ExportError
    from ..classroom.exporters import Packager, load_exporters
    from .grade import _assignment

    exporters = load_exporters()
    exporter = exporters.get(format_name)
    if exporter is None or not isinstance(exporter, Packager):
        fail(f"no exporter {format_name!r} can export (these can: "
             f"{', '.join(exporters.packagers()) or 'none'})")
    lesson = find_lesson(ctx, lesson_id)
    assignment = _assignment(lesson, assignment_path, None)
    if output.is_dir():
        fail(f"-o {output} is a folder: give a file name, e.g. {output / 'autograder.zip'}")
    if assignment.seed is None:
        click.echo("tutor: no secret seed in the assignment: the autograder grades on the "
                   "public cases, which a file with copied values passes", err=True)
    try:
        path = exporter.package(lesson, assignment, output)
    except ExportError as e:
        fail(f"cannot export: {e}", code=1)
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): upload it as the "
               f"assignment's autograder")
