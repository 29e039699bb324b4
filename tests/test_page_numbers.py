"""Numbers the lesson pages quote are what the reference code (or the experiment) gives.

Each test reads the number from the page itself, so a page edited by hand cannot drift
from the code that is said to produce it.
"""

import ast
import re

import numpy as np
import pytest

from tutor.plugins import load_registry

REGISTRY = load_registry()


def page(lesson_id: str, name: str) -> str:
    lesson = REGISTRY.get(lesson_id)
    return next(p for p in lesson.pages if p.name.startswith(name)).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading."""
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def array(text: str, name: str) -> np.ndarray:
    """The array literal `name = [[...], ...]` of a code block in `text`, one row per line,
    with other columns of text beside it left out."""
    start = re.search(rf"\b{re.escape(name)} = \[", text)
    assert start, name
    column = start.end() - 1 - text.rfind("\n", 0, start.end()) - 1
    literal, depth = "", 0
    for line in text[start.end() - 1 - column:].splitlines():
        for ch in line[column:]:
            literal += ch
            depth += {"[": 1, "]": -1}.get(ch, 0)
            if depth == 0:
                return np.array(ast.literal_eval(literal), dtype=float)
            if ch == "," and depth == 1:
                break  # the row is complete; the rest of the line is another column
    raise AssertionError(f"unterminated {name}")


def number(text: str, pattern: str) -> float:
    """The number matched by the group of `pattern` in `text`."""
    found = re.search(pattern, text)
    assert found, pattern
    return float(found.group(1).replace("−", "-"))


def test_cnn_stride_2_worked_example():
    ref = REGISTRY.get("cnn").reference
    text = section(page("cnn", "03"), "Stride 2, worked")
    x = np.array([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]], float)[None, None]
    w = np.array([[1, 0, -1]] * 3, float)[None, None]
    dout = array(text, "dout")[None, None]
    dx, dw, db = ref.conv_backward(dout, x, w, np.array([0.5]), 2, 1)
    assert np.array_equal(array(text, "dx"), dx[0, 0])
    assert np.array_equal(array(text, "dw"), dw[0, 0])
    assert number(text, r"the plain sum, (\d+\.\d+)") == db[0]
    # the dilated, padded dout the page shows gives dx and dw as the page says
    grid = array(text, "d")
    assert grid.shape == (4, 4) and np.array_equal(grid[:3:2, :3:2], dout[0, 0])
    full = np.pad(grid, 2)
    dxp = np.array([[np.sum(full[r:r + 3, s:s + 3] * w[0, 0, ::-1, ::-1]) for s in range(6)]
                    for r in range(6)])
    assert np.array_equal(dxp[1:5, 1:5], dx[0, 0]) and not dxp[5].any() and not dxp[:, 5].any()
    xp = np.pad(x[0, 0], 1)
    assert np.array_equal([[np.sum(xp[p:p + 4, q:q + 4] * grid) for q in range(3)]
                           for p in range(3)], dw[0, 0])
