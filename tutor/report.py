"""Showing grading results: rich text for people, one JSON document for programs."""

import math
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.text import Text

from . import __version__
from .grader import Check, ExerciseResult

JSON_SCHEMA = 1


def to_json(lesson: str, file: str, results: Sequence[ExerciseResult]) -> dict[str, Any]:
    """The report as strict JSON: inf and nan (errors of non-finite results) become the
    strings "inf", "-inf" and "nan"."""
    return strict_json({
        "schema": JSON_SCHEMA,
        "tutor": __version__,
        "lesson": lesson,
        "file": file,
        "passed": all(r.passed for r in results),
        "exercises": [r.to_json() for r in results],
    })


def strict_json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    return value


def render_result(result: ExerciseResult, verbose: bool = False) -> Group:
    parts: list[Any] = []
    mark = Text("✓ ", style="bold green") if result.passed else Text("✗ ", style="bold red")
    head = mark + Text(result.exercise, style="bold") + Text(f"  {result.verdict}",
                                                             style="green" if result.passed
                                                             else "red")
    head.append(f"  ({result.seconds:.2f} s)", style="dim")
    parts.append(head)
    if not result.passed:
        parts.append(Text("  " + result.message.split(";")[0], style="default"))
        failing = [c for c in result.checks if not c.passed]
        for check in failing[: None if verbose else 4]:
            parts.append(_check_line(check))
        if len(failing) > 4 and not verbose:
            parts.append(Text(f"    … {len(failing) - 4} more (tutor check -v shows all)",
                              style="dim"))
        first_map = next((c.error_map for c in failing if c.error_map), None)
        if first_map:
            parts.append(heatmap(first_map))
        if result.consistency:
            parts.append(Text("  " + result.consistency, style="yellow"))
        if result.traceback:
            parts.append(Text("  " + result.traceback.replace("\n", "\n  "), style="dim"))
    elif verbose:
        for check in result.checks:
            parts.append(_check_line(check))
    if result.printed and (verbose or not result.passed):
        text = result.printed.rstrip()
        if len(text) > 400:
            text = text[:400] + " …"
        parts.append(Text("  your code printed: ", style="dim") + Text(text))
    return Group(*parts)


def _check_line(check: Check) -> Text:
    line = Text("    ")
    line.append("✓ " if check.passed else "✗ ", style="green" if check.passed else "red")
    line.append(check.name, style="bold" if not check.passed else "")
    line.append(f"  {check.verdict}", style="green" if check.passed else "red")
    if check.message:
        line.append(f": {check.message}")
    if check.diagnosis_message:
        line.append("\n      → " + check.diagnosis_message, style="yellow")
    return line


def _cell_style(err: float, tol: float) -> str:
    if err <= tol:
        return "green"
    if err <= 1e-2:
        return "yellow"
    return "red"


def heatmap(emap: dict[str, Any]) -> Text:
    """Where the error is: one cell per block of elements, green (right) to red (wrong).
    A kernel's traffic map (``kind`` "traffic") is drawn by :func:`traffic`."""
    if emap.get("kind") == "traffic":
        return traffic(emap)
    text = Text(f"    where it is wrong ({emap['wrong']} of {emap['total']} elements of shape "
                f"{tuple(emap['shape'])}", style="dim")
    if emap["rows_per_cell"] > 1 or emap["cols_per_cell"] > 1:
        text.append(f"; a cell = {emap['rows_per_cell']}×{emap['cols_per_cell']} elements",
                    style="dim")
    text.append("; rows ↓):\n", style="dim")
    for row in emap["grid"]:
        text.append("      ")
        for err in row:
            text.append("██", style=_cell_style(err, emap["tolerance"]))
        text.append("\n")
    text.append("      ", style="dim")
    text.append("██", style="green")
    text.append(" right  ", style="dim")
    text.append("██", style="yellow")
    text.append(" close  ", style="dim")
    text.append("██", style="red")
    text.append(" wrong", style="dim")
    return text


_SHADES = " ░▒▓█"


def traffic(tmap: dict[str, Any]) -> Text:
    """A kernel's global reads per thread: one cell per group of threads (its busiest),
    the learner's beside the reference kernel's; over the budget in red."""
    budget, ref = tmap.get("budget"), tmap.get("reference")
    top = max([tmap["most"], tmap.get("reference_most") or 0, 1])
    rows, cols = tmap["shape"]
    text = Text(f"    global reads per thread ({tmap['launch']}; {rows} x {cols} threads",
                style="dim")
    if tmap["rows_per_cell"] > 1 or tmap["cols_per_cell"] > 1:
        text.append(f", a cell = {tmap['rows_per_cell']}×{tmap['cols_per_cell']}", style="dim")
    text.append(f"; most {tmap['most']}" + (f", budget {budget}" if budget is not None else "")
                + "):\n", style="dim")
    width = 2 * len(tmap["grid"][0]) if tmap["grid"] else 0
    text.append("      " + "yours".ljust(width + 3) + ("reference" if ref else "") + "\n",
                style="dim")
    for r, row in enumerate(tmap["grid"]):
        text.append("      ")
        for n in row:
            over = budget is not None and n > budget
            text.append(_SHADES[min(4, -(-4 * n // top))] * 2, style="red" if over else "cyan")
        if ref:
            text.append("   ")
            for n in ref[r] if r < len(ref) else []:
                text.append(_SHADES[min(4, -(-4 * n // top))] * 2, style="green")
        text.append("\n")
    text.append(f"      darker: more reads (full: {top}); red: over the budget", style="dim")
    return text
