"""Gradescope: one ``results/STUDENT.json`` per student in the autograder's results.json
format, and (``tutor export gradescope``) the autograder zip that produces it on Gradescope."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import hookimpl

if TYPE_CHECKING:
    from ...lesson import Lesson
    from ..assignment import Assignment
    from ..results import Gradebook, StudentResult

RESULTS = "results"


class Gradescope:
    name = "gradescope"
    description = "results/STUDENT.json in Gradescope's results.json format; the autograder zip"

    def write(self, gradebook: "Gradebook", out: Path) -> list[Path]:
        folder = out / RESULTS
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for student in gradebook.students:
            path = folder / f"{student.student}.json"
            path.write_text(json.dumps(results_json(gradebook, student), indent=2,
                                       allow_nan=False) + "\n", encoding="utf-8")
            written.append(path)
        keep = {p.name for p in written}
        for stale in folder.glob("*.json"):  # students of an earlier run, not of this one
            if stale.name not in keep:
                stale.unlink()
        return written

    def package(self, lesson: "Lesson", assignment: "Assignment", dest: Path) -> Path:
        from ..autograder import build

        return build(lesson, assignment, dest)


def results_json(gradebook: "Gradebook", student: "StudentResult") -> dict[str, Any]:
    """Gradescope's results.json for one student: what that student is shown."""
    from ..results import GRADED, feedback, jail_note

    tests = []
    for number, item in enumerate(gradebook.items(), 1):
        result = student.result(item.name)
        passed = student.status == GRADED and result is not None and result.passed
        tests.append({
            "name": item.exercise.id,
            "number": str(number),
            "score": gradebook.points(student, item),
            "max_score": item.points,
            "status": "passed" if passed else "failed",
            "output": feedback(student, item),
            "visibility": item.visibility,
        })
    score = gradebook.score(student)
    lesson = gradebook.assignment.lesson
    if student.status == GRADED:
        count = sum(t["status"] == "passed" for t in tests)
        output = (f"{student.file}: {count} of {len(tests)} exercises pass ({score:g} of "
                  f"{gradebook.max_score:g} points).\n{lesson}: tutor {gradebook.version}, "
                  f"{jail_note(student.jail)}.")
    else:
        output = (f"Your submission could not be graded: {student.message}\n{lesson}: tutor "
                  f"{gradebook.version} (--jail {gradebook.jail}).")
    return {
        "score": score,
        "execution_time": round(student.seconds, 3),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"tutor": gradebook.version, "status": student.status,
                       "jail": gradebook.jail_of(student)},
    }


@hookimpl
def tutor_register_exporters(register):
    register(Gradescope())
