"""gradebook.csv: one row per student, with the total, the points and the verdict of each
exercise, for a spreadsheet or an LMS import."""

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from ... import hookimpl

if TYPE_CHECKING:
    from ..results import Gradebook

FILE = "gradebook.csv"


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: text from a submission (an exception message, a
    file name) could otherwise start a formula."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


class CsvGradebook:
    name = "csv"
    description = "gradebook.csv: a row per student, the points and verdict per exercise"

    def write(self, gradebook: "Gradebook", out: Path) -> list[Path]:
        from ..results import verdict

        items = gradebook.items()
        header = ["student", "submission", "file", "status", "score", "max_score", "jail"]
        header += [item.name for item in items]
        header += [f"{item.name} verdict" for item in items]
        header.append("message")
        path = out / FILE
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for student, score in gradebook.rows():
                row = [student.student, student.submission, student.file, student.status,
                       f"{score:g}", f"{gradebook.max_score:g}",
                       gradebook.jail_of(student)]
                row += [f"{gradebook.points(student, item):g}" for item in items]
                row += [verdict(student, item) for item in items]
                row.append(student.message)
                writer.writerow([_cell(v) for v in row])
        return [path]


@hookimpl
def tutor_register_exporters(register):
    register(CsvGradebook())
