"""Size expressions: how a lesson writes a kernel's launch and budget in terms of the shapes
of its arguments, e.g. ``ceil(out.shape[1] / 16)`` or ``2 * ceil(a.shape[1] / 16)``.

Only arithmetic (+ - * / //), whole numbers, ``ceil``, ``max``, ``min``, and ``NAME.shape[i]``
or ``NAME.size`` of the exercise's parameters: nothing else is evaluated.
"""

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

FUNCTIONS: dict[str, Callable[..., Any]] = {"ceil": math.ceil, "max": max, "min": min}
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b}


class SizeError(ValueError):
    """An expression that is not a size expression, or that has no whole-number value."""


def parse(text: str, params: Sequence[str]) -> ast.expr:
    """The expression, checked to use only what size expressions allow."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SizeError(f"{text!r} is not an expression") from None
    _check(tree, set(params), text)
    return tree


def evaluate(text: str, values: Mapping[str, Any]) -> int:
    """The whole number an expression stands for, given the arguments by name."""
    value = _eval(parse(text, list(values)), values)
    if isinstance(value, float) and not value.is_integer():
        raise SizeError(f"{text!r} is {value}, not a whole number (use ceil or //)")
    return int(value)


def _check(node: ast.expr, params: set[str], text: str) -> None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        _check(node.left, params, text)
        _check(node.right, params, text)
        return
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS and node.args and not node.keywords):
        for arg in node.args:
            _check(arg, params, text)
        return
    if (isinstance(node, ast.Attribute) and node.attr == "size"
            and isinstance(node.value, ast.Name) and node.value.id in params):
        return
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
            and node.value.attr == "shape" and isinstance(node.value.value, ast.Name)
            and node.value.value.id in params and isinstance(node.slice, ast.Constant)
            and type(node.slice.value) is int):
        return
    names = sorted(params)
    raise SizeError(f"{text!r}: only numbers, + - * / //, ceil, max, min and "
                    f"PARAM.shape[i] or PARAM.size of the parameters ({', '.join(names)}) "
                    "are allowed")


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return FUNCTIONS[node.func.id](*(_eval(a, values) for a in node.args))
    if isinstance(node, ast.Attribute):
        assert isinstance(node.value, ast.Name)
        return int(values[node.value.id].size)
    assert isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
    assert isinstance(node.value.value, ast.Name) and isinstance(node.slice, ast.Constant)
    shape = values[node.value.value.id].shape
    axis = int(node.slice.value)  # type: ignore[arg-type]
    if not -len(shape) <= axis < len(shape):
        raise SizeError(f"{node.value.value.id} has {len(shape)} axes, not {axis + 1}")
    return int(shape[axis])
