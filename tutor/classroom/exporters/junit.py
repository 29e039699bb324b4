"""JUnit XML: one testsuite per student, one testcase per exercise, for CI dashboards."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from ... import hookimpl

if TYPE_CHECKING:
    from ..results import Gradebook

FILE = "junit.xml"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    """Text XML 1.0 can hold (learner output may contain anything)."""
    return _INVALID_XML.sub("\ufffd", str(value))


class JUnit:
    name = "junit"
    description = "junit.xml: a testsuite per student, a testcase per exercise"

    def write(self, gradebook: "Gradebook", out: Path) -> list[Path]:
        from ..results import BROKE, GRADED, feedback, first_failure

        lesson = gradebook.assignment.lesson
        root = ET.Element("testsuites", name=f"tutor grade {lesson}")
        totals: dict[str, int] = {"tests": 0, "failures": 0, "errors": 0}
        for student in gradebook.students:
            suite = ET.SubElement(root, "testsuite", name=_text(student.student))
            props = ET.SubElement(suite, "properties")
            for key, text in (("submission", student.submission), ("file", student.file),
                               ("status", student.status),
                               ("jail", gradebook.jail_of(student)),
                               ("score", f"{gradebook.score(student):g}"),
                               ("max_score", f"{gradebook.max_score:g}")):
                ET.SubElement(props, "property", name=key, value=_text(text))
            counts: dict[str, int] = {"tests": 0, "failures": 0, "errors": 0}
            for item in gradebook.items():
                result = student.result(item.name)
                case = ET.SubElement(suite, "testcase", name=item.name,
                                     classname=_text(f"{lesson}.{student.student}"),
                                     time=f"{result.seconds if result else 0:.3f}")
                counts["tests"] += 1
                if student.status != GRADED or result is None:
                    counts["errors"] += 1
                    ET.SubElement(case, "error", type=student.status,
                                  message=_text(f"not graded: {student.message}"))
                    continue
                if result.passed:
                    continue
                check = first_failure(result)
                broke = result.verdict in BROKE or result.verdict == "exception"
                tag = "error" if broke else "failure"
                counts["errors" if broke else "failures"] += 1
                details = [f"verdict: {result.verdict}"]
                if check is not None and check.diagnosis:
                    details.append(f"diagnosis: {check.diagnosis}: {check.diagnosis_message}")
                if check is not None and check.rel_error is not None:
                    details.append(f"relative error: {check.rel_error:.3g}")
                details.append(feedback(student, item))
                element = ET.SubElement(case, tag, type=result.verdict,
                                        message=_text(f"{result.verdict}: {result.message}"
                                                      [:500]))
                element.text = _text("\n".join(details))
            for key, value in counts.items():
                suite.set(key, str(value))
                totals[key] += value
            suite.set("time", f"{student.seconds:.3f}")
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        path = out / FILE
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        return [path]


@hookimpl
def tutor_register_exporters(register):
    register(JUnit())
