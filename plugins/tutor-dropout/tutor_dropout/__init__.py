"""The dropout lesson, registered through the ``tutor.lessons`` entry point."""

from pathlib import Path

from tutor import Lesson, hookimpl


@hookimpl
def tutor_register_lessons(register):
    register(Lesson.from_folder(Path(__file__).parent))
