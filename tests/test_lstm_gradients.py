"""lstm_step_backward's reference gradients agree with central differences.

Its forward returns two arrays and it takes two upstream gradients, which the lesson's
[exercises.gradient] declaration cannot express (tests/test_reference_gradients.py covers
lstm_backward that way), so it is checked here with L = Σ dnext_h ⊙ next_h + Σ dnext_c ⊙
next_c on every graded case that finite differences can resolve.
"""

import numpy as np
import pytest

from tutor.gradcheck import numeric_gradient
from tutor.grader import cases_for
from tutor.plugins import load_registry

LESSON = load_registry().get("lstm")
ref = LESSON.reference
CASES = [c for c in cases_for(LESSON, LESSON.exercise("lstm_step_backward"))
         if max(float(np.abs(a).max()) for a in c.args) <= 100]
INPUTS = ["x", "prev_h", "prev_c", "Wx", "Wh", "b"]


def test_the_large_case_is_the_only_one_left_out():
    assert len(CASES) == len(cases_for(LESSON, LESSON.exercise("lstm_step_backward"))) - 1


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_step_backward_matches_central_differences(case):
    dnext_h, dnext_c, *inputs = case.args

    def loss(args):
        next_h, next_c = ref.lstm_step_forward(*args)
        return float(np.sum(dnext_h * next_h) + np.sum(dnext_c * next_c))

    analytic = ref.lstm_step_backward(*case.args)
    for i, name in enumerate(INPUTS):
        numeric = numeric_gradient(loss, inputs, i)
        err = np.max(np.abs(numeric - analytic[i])
                     / np.maximum(1e-8, np.abs(numeric) + np.abs(analytic[i])))
        assert err < 1e-6, f"{case.label}: d{name} {err:.1e}"


def test_a_wrong_gradient_fails_the_check():
    case = CASES[0]
    dnext_h, dnext_c, *inputs = case.args
    dx = ref.lstm_step_backward(dnext_h, np.zeros_like(dnext_c), *inputs)[0]  # dnext_c dropped

    def loss(args):
        next_h, next_c = ref.lstm_step_forward(*args)
        return float(np.sum(dnext_h * next_h) + np.sum(dnext_c * next_c))

    numeric = numeric_gradient(loss, inputs, 0)
    assert np.max(np.abs(numeric - dx) / np.maximum(1e-8, np.abs(numeric) + np.abs(dx))) > 1e-3
