"""Every lesson's reference gradients agree with central finite differences.

Driven by each exercise's declared ``[exercises.gradient]``, so a new lesson is covered by
declaring what its gradients are gradients of.
"""

import numpy as np
import pytest

from tutor.devcheck import reference_loss, smoothed
from tutor.gradcheck import check_gradient, numeric_gradient
from tutor.grader import cases_for
from tutor.plugins import load_registry

REGISTRY = load_registry()
GRADIENTS = [(lesson, ex) for lesson in REGISTRY for ex in lesson.exercises if ex.gradient]


@pytest.mark.parametrize("lesson, exercise", GRADIENTS, ids=[e.id for _, e in GRADIENTS])
def test_reference_gradient_matches_central_differences(lesson, exercise):
    checked = 0
    for case in cases_for(lesson, exercise):
        args = smoothed(case.args)
        if max(float(np.max(np.abs(a))) for a in args if isinstance(a, np.ndarray)
               and a.dtype == np.float64) > 100:
            continue  # finite differences lose their digits at large magnitudes
        f, inputs, grads = reference_loss(lesson, exercise, args)
        forward = lesson.exercise(exercise.gradient.of) if exercise.gradient.of else exercise
        for i, analytic in grads.items():
            numeric = numeric_gradient(f, inputs, i)
            err = np.max(np.abs(numeric - analytic) /
                         np.maximum(1e-8, np.abs(numeric) + np.abs(analytic)))
            assert err < 1e-5, f"{exercise.id} {case.label} d/d{forward.params[i]}: {err:.1e}"
            checked += 1
    assert checked


@pytest.mark.parametrize("lesson, exercise", GRADIENTS, ids=[e.id for _, e in GRADIENTS])
def test_fast_check_accepts_the_reference_and_rejects_a_wrong_gradient(lesson, exercise):
    case = next(c for c in cases_for(lesson, exercise)
                if max(float(np.max(np.abs(a))) for a in c.args if isinstance(a, np.ndarray)
                       and a.dtype == np.float64) <= 100)
    f, inputs, grads = reference_loss(lesson, exercise, smoothed(case.args))
    for i, analytic in grads.items():
        assert check_gradient(f, inputs, i, analytic) < 1e-5
        wrong = analytic.copy()
        wrong.flat[0] += 0.1 * (1 + abs(wrong.flat[0]))
        assert check_gradient(f, inputs, i, wrong, coords=0) > 1e-4


def test_the_authoring_check_fails_a_reference_with_a_doubled_gradient(tmp_path):
    """The grader compares learners with the reference, so only the authoring check's
    central differences can tell that the reference itself is wrong."""
    import shutil

    from tutor import Lesson
    from tutor.devcheck import check_lesson

    backprop = REGISTRY.get("backprop")
    folder = tmp_path / "doubled"
    shutil.copytree(backprop.folder, folder, ignore=shutil.ignore_patterns(
        "__pycache__", "fast_ops.py", "cuda_ops.py", "experiment.py", "mutants"))
    toml = (folder / "lesson.toml").read_text().replace('id = "backprop"', 'id = "doubled"')
    (folder / "lesson.toml").write_text(toml)
    with (folder / "reference.py").open("a") as f:
        f.write("\n\ndef relu_backward(dout, x):\n    return 2.0 * np.where(x > 0, dout, 0.0)\n")
    items = {item.name: item for item in check_lesson(Lesson.from_folder(folder))}
    assert items["reference passes"].ok  # the grader agrees with the reference it is given
    bad = items["reference gradients relu_backward"]
    assert not bad.ok and "d/dx off by" in bad.detail, bad.detail
    assert not any(name.startswith("reference gradients") and item.ok
                   for name, item in items.items())


def test_the_sampled_check_sees_one_wrong_entry_at_its_coordinate_and_nan_as_wrong():
    rng = np.random.default_rng(3)
    a, x = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def f(args):
        return float(np.sum(a * args[0] ** 2))

    right = 2 * a * x
    assert check_gradient(f, [x], 0, right, directions=2, coords=12) < 1e-6
    wrong = right.copy()
    wrong[1, 2] += 1e-3 * (1 + abs(wrong[1, 2]))  # too small for a direction to notice
    assert check_gradient(f, [x], 0, wrong, directions=0, coords=12) > 1e-4
    with_nan = right.copy()
    with_nan[0, 0] = np.nan
    assert check_gradient(f, [x], 0, with_nan, directions=1, coords=0) == np.inf
    assert check_gradient(f, [x], 0, with_nan, directions=0, coords=12) == np.inf
    assert np.array_equal(x, np.random.default_rng(3).standard_normal((6, 4))[3:])  # untouched


def test_coordinates_are_sampled_in_small_inputs_only():
    from tutor.gradcheck import COORDINATES_UP_TO

    calls = []

    def f(args):
        calls.append(1)
        return float(np.sum(args[0] ** 2))

    for size, expected in ((COORDINATES_UP_TO, 2 * (2 + 3)), (COORDINATES_UP_TO + 1, 2 * 2)):
        x = np.random.default_rng(0).standard_normal(size)
        calls.clear()
        assert check_gradient(f, [x], 0, 2 * x, directions=2, coords=3) < 1e-6
        assert len(calls) == expected
