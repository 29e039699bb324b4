"""The sgd exercises accept honest solutions in other styles and reject real bugs, including
bugs that only show on the edge cases (lr = 0, t = 1, a large w, explicit betas)."""

import numpy as np
import pytest

from tutor.grader import Grader, cases_for
from tutor.plugins import load_registry
from tutor.sandbox.supervisor import Limits

LESSON = load_registry().get("sgd")

# Correct, written unlike the reference: loops, expanded formulas, the folded Adam step
# (with eps scaled to match), EMAs written as moves toward dw, lists instead of tuples.
HONEST = """
import math
import numpy as np

def sgd_step(w, dw, lr):
    out = np.empty_like(w)
    for i in np.ndindex(w.shape):
        out[i] = w[i] - lr * dw[i]
    return out

def sgd_momentum_step(w, dw, v, lr, momentum):
    return [w + momentum * v - lr * dw, -lr * dw + momentum * v]

def nesterov_step(w, dw, v, lr, momentum):
    v_new = momentum * v - lr * dw
    return w + momentum * v_new - lr * dw, v_new

def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = m + (1 - beta1) * (dw - m)
    v_new = v + (1 - beta2) * (np.square(dw) - v)
    c1, c2 = -math.expm1(t * math.log(beta1)), -math.expm1(t * math.log(beta2))
    step = lr * math.sqrt(c2) / c1
    return w - step * m_new / (np.sqrt(v_new) + eps * math.sqrt(c2)), m_new, v_new
"""


def grade(tmp_path, source, names=None):
    path = tmp_path / "sgd.py"
    reference = LESSON.reference_path.read_text()
    path.write_text(reference + "\n\n" + source if names else source)
    grader = Grader(LESSON, path, Limits(seconds=10.0))
    exercises = [LESSON.exercise(n) for n in names] if names else None
    try:
        return {r.exercise.split(".", 1)[1]: r for r in grader.grade(exercises)}
    finally:
        grader.close()


def test_honest_alternatives_pass(tmp_path):
    results = grade(tmp_path, HONEST)
    assert {k: r.message for k, r in results.items() if not r.passed} == {}


BUGS = {
    # name: (source, exercise, a verdict or diagnosis the grader must give, failing cases)
    "returns w itself when lr = 0": (
        "def sgd_step(w, dw, lr):\n    return w if lr == 0 else w - lr * dw\n",
        "sgd_step", "returned-input", {"lr = 0"}),
    "a step 1e-4 too large": (
        "def sgd_step(w, dw, lr):\n    return w - 1.0001 * lr * dw\n",
        "sgd_step", "wrong-value", None),
    "ignores the betas passed in": (
        "def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    m = 0.9 * m + 0.1 * dw\n    v = 0.999 * v + 0.001 * dw * dw\n"
        "    step = lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)\n"
        "    return w - step, m, v\n",
        "adam_step", "wrong-value", {"beta1 = 0.5"}),
    "Nesterov with the new velocity": (
        "def nesterov_step(w, dw, v, lr, momentum):\n"
        "    v = momentum * v - lr * dw\n    return w - momentum * v + (1 + momentum) * v, v\n",
        "nesterov_step", "nesterov-plain-momentum", None),
    "float32 state": (
        "_adam = adam_step\n"
        "def adam_step(*args):\n    w, m, v = _adam(*args)\n"
        "    return w, m.astype(np.float32), v.astype(np.float32)\n",
        "adam_step", "wrong-dtype", None),
    "returns (v_new, w_new)": (
        "def sgd_momentum_step(w, dw, v, lr, momentum):\n"
        "    v_new = momentum * v - lr * dw\n    return v_new, w + v_new\n",
        "sgd_momentum_step", "swapped-outputs", None),
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_bug_is_rejected(tmp_path, bug):
    source, name, expected, only = BUGS[bug]
    result = grade(tmp_path, source, [name])[name]
    assert not result.passed
    found = {c.verdict for c in result.checks} | {c.diagnosis for c in result.checks}
    assert expected in found, result.message
    if only:
        failing = {c.name.split(":")[0] for c in result.checks if not c.passed}
        assert failing and all(any(s in f for s in only) for f in failing), failing


def test_a_small_error_in_the_step_fails_where_w_is_huge(tmp_path):
    result = grade(tmp_path, BUGS["a step 1e-4 too large"][0], ["sgd_step"])["sgd_step"]
    check = next(c for c in result.checks if c.name.startswith("w ~ 1e3"))
    assert check.verdict == "wrong-value" and "update w_new - w" in check.message


def test_cases_cover_the_edges():
    def cases(name):
        return cases_for(LESSON, LESSON.exercise(name))

    labels = " | ".join(c.label for name in ("sgd_step", "sgd_momentum_step", "adam_step")
                        for c in cases(name))
    for edge in ("lr = 0", "momentum = 0", "t = 1 ", "t = 100000", "w ~ 1e3"):
        assert edge in labels, edge
    adam = cases("adam_step")
    assert {len(c.args) for c in adam} == {6, 9}, "defaults left out and passed explicitly"
    assert any(c.args[4] == 1 and not c.args[2].any() for c in adam), "t = 1 from zero state"
    assert any((c.args[1] == 0).any() for c in adam), "a gradient of exactly 0"
    for name in ("sgd_momentum_step", "nesterov_step"):
        assert sum(c.args[2].any() for c in cases(name)) >= 3, "a nonzero velocity"
    for name in ("sgd_step", "sgd_momentum_step", "nesterov_step", "adam_step"):
        shapes = {c.args[0].ndim for c in cases(name)}
        assert shapes == {1, 2}, name
        ref = getattr(LESSON.reference, name)
        ratios = []
        for c in cases(name):
            w_new = ref(*c.args)
            w_new = w_new[0] if isinstance(w_new, tuple) else w_new
            step = np.abs(w_new - c.args[0])
            if step.min() > 0:
                ratios.append(np.abs(c.args[0]).min() / step.max())
        assert max(ratios) > 1e5, f"{name}: w about 1e6 times its update"
