"""The kernels lesson, registered as a plugin like any other."""

from pathlib import Path

from tutor import Lesson, hookimpl


@hookimpl
def tutor_register_lessons(register):
    register(Lesson.from_folder(Path(__file__).parent))
