"""summary.md: what the class got wrong, per exercise, and which submissions need a look."""

import statistics
from collections import Counter

from .results import ALARMING, GRADED, REFUSED, Gradebook, StudentResult, jail_note

TOP = 3


def summary_markdown(book: Gradebook, seeded: bool) -> str:
    lesson = book.assignment.lesson
    students = book.students
    graded = [s for s in students if s.status == GRADED]
    refused = [s for s in students if s.status == REFUSED]
    errors = [s for s in students if s.status not in (GRADED, REFUSED)]
    title = book.assignment.title or book.title
    lines = [f"# {lesson}: {title}", ""]
    counts = f"{_count(len(students), 'submission')}: {len(graded)} graded"
    if refused:
        counts += f", {len(refused)} refused"
    if errors:
        counts += f", {len(errors)} could not be graded (run again to retry)"
    lines.append(counts + ".")
    if students:
        scores = [book.score(s) for s in students]
        lines.append(f"Score: mean {statistics.fmean(scores):.3g}, median "
                     f"{statistics.median(scores):g} of {book.max_score:g}; "
                     f"{sum(sc == book.max_score for sc in scores)} full marks.")
    jails = Counter(s.jail for s in graded if s.jail)
    how = "; ".join(f"{n} {jail_note(j)}" for j, n in jails.items()) or jail_note(book.jail)
    lines.append(f"{how[:1].upper()}{how[1:]}, "
                 + ("on cases drawn from the secret seed." if seeded else
                    "on the public cases (no secret seed: values copied from them pass)."))
    lines += ["", "| exercise | points | pass rate | most common verdicts |",
              "|---|---:|---:|---|"]
    mistakes: list[str] = []
    for item in book.items():
        results = [r for s in graded if (r := s.result(item.name)) is not None]
        n = len(results)
        passed = sum(r.passed for r in results)
        verdicts = Counter(r.verdict for r in results if not r.passed)
        common = ", ".join(f"{_pct(k, n)} {v}" for v, k in _top(verdicts)) or "-"
        rate = f"{_pct(passed, n)} ({passed}/{n})" if n else "-"
        lines.append(f"| {item.name} | {item.points:g} | {rate} | {common} |")
        diagnoses: Counter[tuple[str, str]] = Counter()
        for r in results:  # each student once per mistake, however many cases show it
            diagnoses.update({(c.diagnosis, _value(c.name)) for c in r.checks
                              if c.diagnosis and not c.passed})
        for (diag, value), k in _top(diagnoses):
            known = book.diagnoses.get(diag, "")
            where = f" in `{value}`" if value else ""
            mistakes.append(f"- {item.name}: **{_pct(k, n)}** ({k}) `{diag}`{where}"
                            + (f": {known}" if known else ""))
    if mistakes:
        lines += ["", "## Most common mistakes", "", *mistakes]
    trouble = [s for s in students if s.status != GRADED or _alarms(s)]
    if trouble:
        lines += ["", "## Crashed, timed out or refused", ""]
        for s in trouble:
            lines.append(f"- {s.student} ({s.submission}): {_trouble(s)}")
    return "\n".join(lines) + "\n"


def _top(counts: Counter) -> list:
    """The most common first, ties in name order (the same summary every run)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "-"


def _value(check_name: str) -> str:
    """The returned value a check is about: 'N=3, D=5, M=2: db' -> 'db'."""
    _, sep, tail = check_name.rpartition(": ")
    return tail if sep and tail not in ("inputs", "outputs") else ""


def _alarms(s: StudentResult) -> list[str]:
    return [r.exercise.split(".", 1)[-1] for r in s.exercises if r.verdict in ALARMING]


def _trouble(s: StudentResult) -> str:
    if s.status == REFUSED:
        return f"refused: {s.message}"
    if s.status != GRADED:
        return f"not graded: {s.message}"
    alarming = [r for r in s.exercises if r.verdict in ALARMING]
    if (alarming and len(alarming) == len(s.exercises)
            and len({r.verdict for r in alarming}) == 1
            and all(r.checks and r.checks[0].name.startswith("loading ") for r in alarming)):
        return f"{alarming[0].verdict} while {alarming[0].checks[0].name} (every exercise)"
    by_verdict: dict[str, list[str]] = {}
    for r in s.exercises:
        if r.verdict in ALARMING:
            by_verdict.setdefault(r.verdict, []).append(r.exercise.split(".", 1)[-1])
    return "; ".join(f"{v} in {', '.join(names)}" for v, names in by_verdict.items())
