"""Every lesson's reference gradients agree with central finite differences.

Driven by each exercise's declared ``[exercises.gradient]``, so a new lesson is covered by
declaring what its gradients are gradients of.
"""

import copy

import numpy as np
import pytest

from tutor.gradcheck import check_gradient, numeric_gradient
from tutor.grader import _flat, cases_for
from tutor.plugins import load_registry

REGISTRY = load_registry()
GRADIENTS = [(lesson, ex) for lesson in REGISTRY for ex in lesson.exercises if ex.gradient]


def smooth(args):
    """Inputs nudged off exact kinks (x == 0) and kept moderate, for finite differences."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype == np.float64:
            a = np.where(a == 0.0, 0.3, a)
        out.append(a)
    return out


def scalar_and_grads(lesson, exercise, args):
    """L(inputs) as a function, the inputs, and the reference's gradients of L."""
    ref = lesson.reference
    g = exercise.gradient
    value = getattr(ref, exercise.name)(*copy.deepcopy(args))
    named = dict(_flat(value, exercise.returns))
    if g.of:  # L = Σ_k sum(upstream_k * out_k), one upstream per returned value
        forward = lesson.exercise(g.of)
        k = len(forward.returns)
        upstreams, inputs = args[:k], list(args[k:])

        def f(a):
            out = getattr(ref, forward.name)(*a)
            outs = [out] if k == 1 else list(out)
            return float(sum(np.sum(u * o) for u, o in zip(upstreams, outs, strict=True)))
    else:
        forward, inputs = exercise, list(args)

        def f(a):
            return float(dict(_flat(getattr(ref, exercise.name)(*a), exercise.returns))[g.loss])
    grads = {forward.params.index(param): named[out] for out, param in g.wrt.items()}
    return f, inputs, grads


@pytest.mark.parametrize("lesson, exercise", GRADIENTS, ids=[e.id for _, e in GRADIENTS])
def test_reference_gradient_matches_central_differences(lesson, exercise):
    checked = 0
    for case in cases_for(lesson, exercise):
        args = smooth(case.args)
        if max(float(np.max(np.abs(a))) for a in args if isinstance(a, np.ndarray)
               and a.dtype == np.float64) > 100:
            continue  # finite differences lose their digits at large magnitudes
        f, inputs, grads = scalar_and_grads(lesson, exercise, args)
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
    f, inputs, grads = scalar_and_grads(lesson, exercise, smooth(case.args))
    for i, analytic in grads.items():
        assert check_gradient(f, inputs, i, analytic) < 1e-5
        wrong = analytic.copy()
        wrong.flat[0] += 0.1 * (1 + abs(wrong.flat[0]))
        assert check_gradient(f, inputs, i, wrong, coords=0) > 1e-4
