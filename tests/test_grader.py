"""The grader accepts every honest correct style and rejects real bugs with a diagnosis."""

import json
import textwrap

import numpy as np
import pytest

from tutor.compare import rel_error
from tutor.grader import Grader, cases_for
from tutor.lesson import Lesson
from tutor.sandbox.supervisor import Limits
from tutor.schema import CatalogError

# Correct implementations written differently from the reference: loops, einsum, np.dot,
# other stable formulas, lists instead of tuples, NumPy scalars for losses.
HONEST = """
def affine_forward(x, w, b):
    out = np.empty((x.shape[0], w.shape[1]))
    for i in range(x.shape[0]):
        out[i] = np.dot(x[i], w) + b
    return out

def affine_backward(dout, x, w, b):
    return [np.einsum("nm,dm->nd", dout, w), np.einsum("nd,nm->dm", x, dout),
            np.sum(dout, axis=0)]

def relu_forward(x):
    return x * (x > 0)

def relu_backward(dout, x):
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx

def sigmoid_forward(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))

def sigmoid_backward(dout, x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return dout * s * (1 - s)

def softmax_cross_entropy(scores, y):
    n = len(y)
    m = np.max(scores, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(scores - m), axis=1))
    loss = np.mean(lse - scores[np.arange(n), y])
    p = np.exp(scores - lse[:, None])
    onehot = np.zeros_like(scores)
    onehot[np.arange(n), y] = 1
    return loss, (p - onehot) / n

def two_layer_net(x, y, w1, b1, w2, b2):
    h = np.maximum(0, x.dot(w1) + b1)
    loss, ds = softmax_cross_entropy(h.dot(w2) + b2, y)
    dh = ds.dot(w2.T) * (h > 0)
    return loss, dict(w2=h.T.dot(ds), b2=ds.sum(0), w1=x.T.dot(dh), b1=dh.sum(0))
"""

# The naive sigmoid overflows to exp(1000) = inf and still gets the right value (0.0):
# a floating-point warning is not a failure.
NAIVE_BUT_RIGHT = """
def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x))
"""


def test_reference_passes_everything(backprop, grade):
    results = grade(backprop.reference_path)
    assert all(r.passed for r in results.values()), {k: r.message for k, r in results.items()}


def test_honest_alternatives_pass(solution, grade):
    results = grade(solution("import numpy as np\n" + HONEST, from_scratch=True))
    failing = {k: r.message for k, r in results.items() if not r.passed}
    assert not failing


def test_naive_sigmoid_with_overflow_warning_passes(solution, grade):
    assert grade(solution(NAIVE_BUT_RIGHT), ["sigmoid_forward"])["sigmoid_forward"].passed


BUGS = {
    # name: (source, exercise, expected verdict, expected diagnosis or None)
    "db over wrong axis only visible when non-square": (
        "def affine_backward(dout, x, w, b):\n    return dout @ w.T, x.T @ dout, dout.sum(1)\n",
        "affine_backward", "wrong-value", "affine-db-axis"),
    "fails only for N = 1 (squeeze)": (
        "def affine_backward(dout, x, w, b):\n"
        "    return dout @ w.T, x.T @ dout, dout.squeeze().sum(axis=0)\n",
        "affine_backward", None, None),
    "float32 gradient": (
        "def relu_backward(dout, x):\n    return (dout * (x > 0)).astype(np.float32)\n",
        "relu_backward", "wrong-dtype", None),
    "matrix subclass": (
        "def affine_forward(x, w, b):\n    return np.asmatrix(x) @ np.asmatrix(w) + b\n",
        "affine_forward", "array-subclass", None),
    "loss as a 1-element array": (
        "_sce = softmax_cross_entropy\n"
        "def softmax_cross_entropy(scores, y):\n"
        "    loss, d = _sce(scores, y)\n    return np.array([loss]), d\n",
        "softmax_cross_entropy", "wrong-type", None),
    "float32 loss": (
        "_sce = softmax_cross_entropy\n"
        "def softmax_cross_entropy(scores, y):\n"
        "    loss, d = _sce(scores, y)\n    return np.float32(loss), d\n",
        "softmax_cross_entropy", "wrong-dtype", None),
    "one return value too few": (
        "def affine_backward(dout, x, w, b):\n    return dout @ w.T, x.T @ dout\n",
        "affine_backward", "wrong-return", None),
    "outputs in the wrong order": (
        "def affine_backward(dout, x, w, b):\n    return x.T @ dout, dout @ w.T, dout.sum(0)\n",
        "affine_backward", None, None),
    "sign error": (
        "def relu_backward(dout, x):\n    return -np.where(x > 0, dout, 0.0)\n",
        "relu_backward", "wrong-value", "sign-flipped"),
    "a log(0) that only large scores reach": (
        "def softmax_cross_entropy(scores, y):\n"
        "    n = len(y)\n    e = np.exp(scores - scores.max(1, keepdims=True))\n"
        "    p = e / e.sum(1, keepdims=True)\n    loss = -np.log(p[np.arange(n), y]).mean()\n"
        "    d = p.copy(); d[np.arange(n), y] -= 1\n    return float(loss), d / n\n",
        "softmax_cross_entropy", "non-finite", "non-finite"),
    "mutates dout": (
        "def affine_backward(dout, x, w, b):\n    db = dout.sum(0)\n    dout *= 1.0\n"
        "    dout[0] = 0.0\n    return dout @ w.T, x.T @ dout, db\n",
        "affine_backward", "mutated-input", None),
    "returns its input": (
        "def relu_backward(dout, x):\n    out = dout\n    out[x <= 0] = 0\n    return out\n",
        "relu_backward", "mutated-input", None),
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_bug_is_rejected(bug, solution, grade):
    source, name, verdict, diagnosis = BUGS[bug]
    result = grade(solution(source), [name])[name]
    assert not result.passed
    if verdict:
        assert verdict in {c.verdict for c in result.checks}, result.message
    if diagnosis:
        assert diagnosis in {c.diagnosis for c in result.checks}, result.message


def test_edge_case_bug_is_reported_on_that_case_only(solution, grade):
    source = BUGS["fails only for N = 1 (squeeze)"][0]
    result = grade(solution(source), ["affine_backward"])["affine_backward"]
    failing = {c.name.split(":")[0] for c in result.checks if not c.passed}
    assert failing == {"N=1, D=6, M=3"}


def test_swapped_outputs_are_named(solution, grade):
    source = "def affine_backward(dout, x, w, b):\n    return x.T @ dout, dout @ w.T, dout.sum(0)\n"
    result = grade(solution(source), ["affine_backward"])["affine_backward"]
    assert "swapped-outputs" in {c.diagnosis for c in result.checks}


def test_backward_consistent_with_a_wrong_forward_is_told_so(solution, grade):
    # Forward and backward share the same mistake (the factor 2), so the backward matches
    # the learner's own forward and the grader says the forward is the thing to fix.
    source = """
        def sigmoid_forward(x):
            return 2.0 / (1.0 + np.exp(-x))

        def sigmoid_backward(dout, x):
            s = 1.0 / (1.0 + np.exp(-x))
            return 2.0 * dout * s * (1 - s)
    """
    result = grade(solution(source), ["sigmoid_backward"])["sigmoid_backward"]
    assert not result.passed
    assert "consistent" in result.consistency and "fix the forward first" in result.consistency


def test_backward_inconsistent_with_its_own_wrong_forward(solution, grade):
    source = """
        def sigmoid_forward(x):
            return 2.0 / (1.0 + np.exp(-x))

        def sigmoid_backward(dout, x):
            s = 1.0 / (1.0 + np.exp(-x))
            return dout * s * (1 + s)
    """
    result = grade(solution(source), ["sigmoid_backward"])["sigmoid_backward"]
    assert "own mistake" in result.consistency


def test_consistency_with_a_forward_of_two_outputs(tmp_path, registry, grade):
    """lstm_step_backward takes two upstream gradients (for next_h and next_c): the check
    differentiates Σ dnext_h ⊙ next_h + Σ dnext_c ⊙ next_c of the learner's own step."""
    lstm = registry.get("lstm")
    path = tmp_path / "lstm.py"
    reference = lstm.reference_path.read_text()
    # dprev_c doubled in the backward, next_c doubled in the forward: consistent mistakes
    path.write_text(reference + textwrap.dedent("""

        _forward, _backward = lstm_step_forward, lstm_step_backward

        def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
            h, c = _forward(x, prev_h, prev_c, Wx, Wh, b)
            return h, c + prev_c

        def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
            dx, dh, dc, dWx, dWh, db = _backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b)
            return dx, dh, dc + dnext_c, dWx, dWh, db
    """))
    result = grade(path, ["lstm_step_backward"], lesson=lstm)["lstm_step_backward"]
    assert not result.passed
    assert "lstm_step_forward is wrong too" in result.consistency
    assert "fix the forward first" in result.consistency
    path.write_text(reference + textwrap.dedent("""

        _backward = lstm_step_backward

        def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
            dx, dh, dc, dWx, dWh, db = _backward(dnext_h, 0 * dnext_c, x, prev_h, prev_c,
                                                 Wx, Wh, b)
            return dx, dh, dc, dWx, dWh, db
    """))
    result = grade(path, ["lstm_step_backward"], lesson=lstm)["lstm_step_backward"]
    assert not result.passed and result.consistency == ""  # their forward is right


def test_loss_gradient_consistency_uses_the_learners_own_loss(solution, grade):
    # Both the loss and its gradient are summed instead of averaged: consistent.
    source = """
        def softmax_cross_entropy(scores, y):
            n = len(y)
            s = scores - scores.max(1, keepdims=True)
            logp = s - np.log(np.exp(s).sum(1, keepdims=True))
            d = np.exp(logp)
            d[np.arange(n), y] -= 1
            return float(-logp[np.arange(n), y].sum()), d
    """
    result = grade(solution(source), ["softmax_cross_entropy"])["softmax_cross_entropy"]
    assert "fix the forward first" in result.consistency


def test_heatmap_points_at_the_wrong_rows(solution, grade):
    source = """
        def affine_forward(x, w, b):
            out = x @ w + b
            out[0] += 1.0
            return out
    """
    result = grade(solution(source), ["affine_forward"])["affine_forward"]
    check = next(c for c in result.checks if not c.passed and c.error_map)
    grid = np.array(check.error_map["grid"])
    assert (grid[0] > 1e-3).all() and (grid[1:] < 1e-6).all()
    assert check.diagnosis == "some-rows-wrong"


def test_cases_cover_the_edges(backprop):
    labels = {c.label for c in cases_for(backprop, backprop.exercise("affine_backward"))}
    assert any("N=1" in label for label in labels)
    assert any("large" in label for label in labels)
    shapes = [c.args[1].shape + c.args[2].shape[1:] for c in
              cases_for(backprop, backprop.exercise("affine_backward"))]
    assert any(len(set(s)) == 3 for s in shapes), "a case with N, D, M all different"
    relu_x = [c.args[1] for c in cases_for(backprop, backprop.exercise("relu_backward"))]
    assert any((x == 0).any() for x in relu_x), "exact zeros test the ReLU convention"


def test_cases_are_reproducible(backprop):
    ex = backprop.exercise("two_layer_net")
    a, b = cases_for(backprop, ex), cases_for(backprop, ex)
    assert all(rel_error(x, y) == 0 for ca, cb in zip(a, b, strict=True)
               for x, y in zip(ca.args, cb.args, strict=True))
    c = cases_for(backprop, ex, seed=7)
    assert rel_error(a[0].args[0], c[0].args[0]) > 0


def test_json_report_is_one_document(solution, backprop):
    import subprocess
    import sys

    path = solution("def affine_forward(x, w, b):\n    return x @ w\n")
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "backprop.affine_forward",
                           "--file", str(path), "--json"], capture_output=True, text=True)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["schema"] == 1 and doc["passed"] is False
    (ex,) = doc["exercises"]
    assert ex["exercise"] == "backprop.affine_forward" and ex["verdict"] == "wrong-value"
    check = next(c for c in ex["checks"] if not c["passed"])
    assert set(check) >= {"name", "verdict", "rel_error", "message", "diagnosis"}
    assert check["diagnosis"] == "affine-no-bias"


def test_json_report_stays_strict_json_for_non_finite_results(solution):
    import subprocess
    import sys

    path = solution("def sigmoid_forward(x):\n    e = np.exp(x)\n    return e / (1 + e)\n")
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "backprop.sigmoid_forward",
                           "--file", str(path), "--json"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    check = next(c for c in doc["exercises"][0]["checks"] if c["verdict"] == "non-finite")
    assert check["rel_error"] == "inf"


HONEST_CONTAINERS = {
    "namedtuple": ("from collections import namedtuple\n"
                   "G = namedtuple('G', 'dx dw db')\n"
                   "def affine_backward(dout, x, w, b):\n"
                   "    return G(dout @ w.T, x.T @ dout, dout.sum(axis=0))\n", "affine_backward"),
    "OrderedDict": ("from collections import OrderedDict\n_tln = two_layer_net\n"
                    "def two_layer_net(*args):\n    loss, g = _tln(*args)\n"
                    "    return np.float64(loss), OrderedDict(sorted(g.items()))\n",
                    "two_layer_net"),
}


@pytest.mark.parametrize("style", sorted(HONEST_CONTAINERS))
def test_tuple_and_dict_subclasses_are_honest_containers(style, solution, grade):
    source, name = HONEST_CONTAINERS[style]
    assert grade(solution(source), [name])[name].passed


@pytest.mark.parametrize("source", [
    # the loss is a per-example vector: the learner's own "loss" is not a number
    "def softmax_cross_entropy(scores, y):\n    n = len(y)\n"
    "    s = scores - scores.max(1, keepdims=True)\n"
    "    lp = s - np.log(np.exp(s).sum(1, keepdims=True))\n"
    "    d = np.exp(lp)\n    d[np.arange(n), y] -= 1\n    return -lp[np.arange(n), y], d\n",
    # the learner's forward returns None and mutates its input
    "def relu_forward(x):\n    x[x < 0] = 0\n"
    "def relu_backward(dout, x):\n    return dout * (x >= 0)\n",
    # the learner's forward returns a flattened array
    "def relu_forward(x):\n    return np.maximum(x, 0).ravel()\n"
    "def relu_backward(dout, x):\n    return dout * (x >= 0)\n",
])
def test_unusable_own_forward_skips_the_consistency_note(source, solution, grade):
    name = "softmax_cross_entropy" if "softmax" in source else "relu_backward"
    result = grade(solution(source), [name])[name]
    assert not result.passed and result.consistency == ""


def test_honest_log_sum_exp_softmax_passes_on_many_seeds(backprop):
    from tutor.grader import cases_for, expected_for

    namespace: dict = {"np": np}
    exec("def sce(scores, y):\n    n = scores.shape[0]\n    m = scores.max(1, keepdims=True)\n"
         "    lse = m + np.log(np.exp(scores - m).sum(1, keepdims=True))\n"
         "    lp = scores - lse\n    d = np.exp(lp)\n    d[np.arange(n), y] -= 1.0\n"
         "    return float(-lp[np.arange(n), y].mean()), d / n\n", namespace)
    ex = backprop.exercise("softmax_cross_entropy")
    worst = max(rel_error(np.asarray(g), np.asarray(e))
                for seed in range(300) for case in cases_for(backprop, ex, seed)
                for g, e in zip(namespace["sce"](*case.args), expected_for(backprop, ex, case),
                                strict=True))
    assert worst < ex.tolerance


def test_keepdims_is_a_reshape_not_a_missing_sum(solution, grade):
    source = ("def affine_backward(dout, x, w, b):\n"
              "    return dout @ w.T, x.T @ dout, dout.sum(axis=0, keepdims=True)\n")
    result = grade(solution(source), ["affine_backward"])["affine_backward"]
    diagnoses = {c.diagnosis for c in result.checks if not c.passed}
    assert diagnoses == {"extra-axis"}  # the right numbers in a (1, M) row


# Optimizer steps: an exercise may declare a returned value an update of an input
# ([exercises.update]); it is then compared on w_new - w, where a small error in the step
# cannot hide behind the size of w.

STEP_TOML = """\
format = 1
id = "{id}"
title = "Steps"

[[exercises]]
name = "step"
signature = "step(w, dw, lr)"
returns = ["w_new"]
hints = []
{update}

[[diagnoses]]
id = "half-step"
message = "Half the step."
"""
STEP_CASES = """\
from tutor import Case


def step(rng):
    # w near 1e3, lr * dw near 1e-3: w is about 1e6 times bigger than the update
    return [Case("w large", (1e3 + rng.random(8), rng.uniform(1.0, 2.0, 8), 1e-3))]
"""


@pytest.fixture(scope="module")
def step_lessons(tmp_path_factory):
    lessons = {}
    for key, update in [("update", '[exercises.update]\nw_new = "w"'), ("plain", "")]:
        folder = tmp_path_factory.mktemp(key)
        (folder / "lesson.toml").write_text(STEP_TOML.format(id=f"step_{key}", update=update))
        (folder / "reference.py").write_text("def step(w, dw, lr):\n    return w - lr * dw\n")
        (folder / "cases.py").write_text(STEP_CASES)
        (folder / "mutants").mkdir()
        (folder / "mutants" / "step__half.py").write_text(
            'EXERCISE = "step"\nDIAGNOSIS = "half-step"\n\n\n'
            "def step(w, dw, lr):\n    return w - 0.5 * lr * dw\n")
        lessons[key] = Lesson.from_folder(folder)
    return lessons


def grade_step(lesson, tmp_path, body):
    path = tmp_path / "step.py"
    path.write_text(f"import numpy as np\n\n\ndef step(w, dw, lr):\n    {body}\n")
    grader = Grader(lesson, path, Limits(seconds=10.0))
    try:
        (result,) = grader.grade()
        return result
    finally:
        grader.close()


def test_an_update_declaration_is_read(step_lessons):
    assert step_lessons["update"].exercise("step").update == {"w_new": "w"}
    assert step_lessons["plain"].exercise("step").update == {}


@pytest.mark.parametrize("body", ["return w - lr * dw",
                                  "out = w.copy()\n    out -= dw * lr\n    return out",
                                  "return w + (-lr) * dw"])
def test_a_correct_step_passes_on_its_update(step_lessons, tmp_path, body):
    result = grade_step(step_lessons["update"], tmp_path, body)
    assert result.passed, result.message


def test_a_step_off_by_1e_4_is_rejected_though_w_is_1e6_times_larger(step_lessons, tmp_path):
    body = "return w - 1.0001 * lr * dw"
    result = grade_step(step_lessons["update"], tmp_path, body)
    assert result.verdict == "wrong-value"
    assert "update w_new - w" in result.message
    (check,) = result.checks
    assert 1e-5 < check.rel_error < 1e-4  # |a - b| / (|a| + |b|) of a 1e-4 relative error
    # compared on w_new itself, the same bug hides below the tolerance
    assert grade_step(step_lessons["plain"], tmp_path, body).passed


def test_known_mistakes_and_generic_diagnoses_are_found_on_the_update(step_lessons, tmp_path):
    half = grade_step(step_lessons["update"], tmp_path, "return w - 0.5 * lr * dw")
    assert [c.diagnosis for c in half.checks] == ["half-step"]
    flipped = grade_step(step_lessons["update"], tmp_path, "return w + lr * dw")
    assert [c.diagnosis for c in flipped.checks] == ["sign-flipped"]
    unchanged = grade_step(step_lessons["update"], tmp_path, "return w.copy()")
    assert [c.diagnosis for c in unchanged.checks] == ["zero"]


def test_type_and_dtype_are_still_checked_on_the_value(step_lessons, tmp_path):
    f32 = grade_step(step_lessons["update"], tmp_path, "return (w - lr * dw).astype(np.float32)")
    assert f32.verdict == "wrong-dtype"
    flat = grade_step(step_lessons["update"], tmp_path, "return (w - lr * dw)[None]")
    assert flat.verdict == "wrong-shape"


@pytest.mark.parametrize("update, message", [('v_new = "w"', "not one of the returned"),
                                             ('w_new = "z"', "not an input"),
                                             ("w_new = 1", "must be a str")])
def test_an_update_declaration_must_name_a_returned_value_and_an_input(tmp_path, update,
                                                                       message):
    (tmp_path / "lesson.toml").write_text(
        STEP_TOML.format(id="bad_step", update=f"[exercises.update]\n{update}"))
    with pytest.raises(CatalogError, match=message):
        Lesson.from_folder(tmp_path)


def test_relative_error_has_a_floor_relative_to_the_scale():
    exact = np.array([0.0, 1.0, -2.0])  # the first entry is zero by structure
    noisy = exact + np.array([1e-8, 0.0, 0.0])
    assert rel_error(noisy, exact) == pytest.approx(1.0)  # CS231n's, for any scale
    assert rel_error(noisy, exact, scale=2.0) == pytest.approx(1e-8 / (1e-3 * 2.0))
    wrong = exact + np.array([1e-3, 0.0, 0.0])  # a real error of 0.05% of the scale
    assert rel_error(wrong, exact, scale=2.0) == pytest.approx(0.5)
    assert rel_error(exact * (1 + 1e-4), exact, scale=2.0) == pytest.approx(1e-4 / (2 + 1e-4))


# A softmax with a tiny epsilon in its denominator: every weight is off by about 1e-10 of
# itself. Where the gradient is zero by structure (the first causal query sees one key; with
# T = 1 every query does), that leaves noise of ~1e-10 of the scale: honest, yet CS231n's
# floor of 1e-8 made it a relative error of order 1.
EPSILON_SOFTMAX = """
def _weights(q, k, causal):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if causal:
        scores = np.where(np.tri(*scores.shape[1:], dtype=bool), scores, -1e30)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / (e.sum(axis=-1, keepdims=True) + 1e-10)
"""


def test_noise_where_a_gradient_is_zero_by_structure_passes(tmp_path, registry, grade,
                                                            monkeypatch):
    attention = registry.get("attention")
    path = tmp_path / "attention.py"
    path.write_text(attention.reference_path.read_text() + EPSILON_SOFTMAX)
    result = grade(path, ["attention_backward"], lesson=attention)["attention_backward"]
    assert result.passed, result.message
    monkeypatch.setattr("tutor.compare.SCALE_FLOOR", 0.0)  # CS231n's floor alone
    result = grade(path, ["attention_backward"], lesson=attention)["attention_backward"]
    failing = {c.name.split(":")[0] for c in result.checks if not c.passed}
    assert {"causal, N=2, T=6, d=3, Dv=5", "causal with T=1, N=3, d=4, Dv=2"} <= failing


def softmax_net(shift):
    """two_layer_net whose softmax subtracts `shift` (an expression in s) from the scores."""
    return f"""
def two_layer_net(x, y, w1, b1, w2, b2):
    h = np.maximum(0, x @ w1 + b1)
    s = h @ w2 + b2
    e = np.exp(s - {shift})
    p = e / e.sum(1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    d = p.copy()
    d[np.arange(n), y] -= 1
    d /= n
    dh = d @ w2.T * (h > 0)
    return float(loss), {{"w1": x.T @ dh, "b1": dh.sum(0), "w2": h.T @ d, "b2": d.sum(0)}}
"""


# Mistakes found in real students' code, each with the diagnosis and words the grader must
# give: (source, exercise, diagnosis, a phrase of its message).
NAMED = {
    "two-layer net with an unshifted softmax":
        (softmax_net("0"), "two_layer_net", "non-finite", "nan where the true value"),
    "two-layer net shifting by the batch's maximum, not each row's":
        (softmax_net("s.max()"), "two_layer_net", "non-finite", "each row's own maximum"),
    "two-layer net taking the log of an underflowed probability":
        (softmax_net("s.max(1, keepdims=True)"), "two_layer_net", "non-finite",
         "log of a probability that underflowed"),
    "two-layer net with the ReLU's gradient at 0 set to 1":
        ("def two_layer_net(x, y, w1, b1, w2, b2):\n"
         "    pre = x @ w1 + b1\n    h = np.maximum(0, pre)\n"
         "    loss, d = softmax_cross_entropy(h @ w2 + b2, y)\n    dh = d @ w2.T * (pre >= 0)\n"
         "    return loss, {'w1': x.T @ dh, 'b1': dh.sum(0), 'w2': h.T @ d, 'b2': d.sum(0)}\n",
         "two_layer_net", "some-elements-wrong", "elements are wrong"),
    "int() of a one-element array":
        ("def relu_forward(x):\n    n = int(np.array([x.shape[0]]))\n"
         "    return np.maximum(x, 0.0)[:n]\n", "relu_forward", "numpy-2", "NumPy 2"),
    "np.float, an alias NumPy removed":
        ("def relu_forward(x):\n    return np.maximum(x, 0).astype(np.float)\n",
         "relu_forward", "numpy-2", "Use float instead"),
    "db as a (1, M) row":
        ("def affine_backward(dout, x, w, b):\n"
         "    return dout @ w.T, x.T @ dout, np.sum(dout, axis=0, keepdims=True)\n",
         "affine_backward", "extra-axis", "CS231n"),
    "some rows of dW wrong: rows of features, not examples":
        ("def affine_backward(dout, x, w, b):\n    dw = x.T @ dout\n    dw[1] = 0.0\n"
         "    return dout @ w.T, dw, dout.sum(0)\n",
         "affine_backward", "some-rows-wrong", "special about those rows"),
    "some rows of dx wrong: rows of examples":
        ("def affine_backward(dout, x, w, b):\n    dx = dout @ w.T\n    dx[1] = 0.0\n"
         "    return dx, x.T @ dout, dout.sum(0)\n",
         "affine_backward", "some-rows-wrong", "special about those examples"),
    "an upstream gradient changed in place":
        ("def relu_backward(dout, x):\n    dout[x <= 0] = 0.0\n    return dout.copy()\n",
         "relu_backward", "mutated-input", "dout.copy()"),
}


@pytest.mark.parametrize("bug", sorted(NAMED))
def test_mistakes_of_real_code_are_named(bug, solution, grade):
    source, name, diagnosis, phrase = NAMED[bug]
    result = grade(solution(source), [name])[name]
    found = [c for c in result.checks if c.diagnosis == diagnosis]
    assert found, result.message
    assert any(phrase in c.diagnosis_message or phrase in c.message for c in found), \
        [c.diagnosis_message or c.message for c in found]


def test_an_optimizer_step_has_no_batch_to_divide_by(tmp_path, registry, grade):
    sgd = registry.get("sgd")
    path = tmp_path / "sgd.py"
    path.write_text(sgd.reference_path.read_text() + "\n\ndef sgd_step(w, dw, lr):\n"
                    "    return w - w.shape[0] * lr * dw\n")
    result = grade(path, ["sgd_step"], lesson=sgd)["sgd_step"]
    found = {c.diagnosis for c in result.checks if not c.passed}
    assert "scaled" in found and not found & {"scaled-by-n", "divided-by-n"}, result.message
    assert "batch" not in " ".join(c.diagnosis_message for c in result.checks)


@pytest.mark.parametrize("lesson_id, source, name", [
    ("sgd", "def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m *= beta1\n    m += (1 - beta1) * dw\n    v *= beta2\n"
            "    v += (1 - beta2) * dw**2\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m.copy(), v.copy()\n",
     "adam_step"),
    ("lstm", "_step_backward = lstm_step_backward\n"
             "def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):\n"
             "    grads = _step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b)\n"
             "    dnext_c += 1.0\n    return grads\n",
     "lstm_step_backward"),
])
def test_in_place_updates_are_explained_in_their_own_terms(tmp_path, registry, grade,
                                                           lesson_id, source, name):
    lesson = registry.get(lesson_id)
    path = tmp_path / f"{lesson_id}.py"
    path.write_text(lesson.reference_path.read_text() + "\n\n" + source)
    result = grade(path, [name], lesson=lesson)[name]
    messages = [c.message for c in result.checks if c.verdict == "mutated-input"]
    assert messages and all("CS231n" in m and "np.maximum" not in m for m in messages), messages


@pytest.mark.parametrize("name, source", [
    ("lstm_step_backward",
     "_step_backward = lstm_step_backward\n"
     "def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):\n"
     "    dx, *rest = _step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b)\n"
     "    return (dx.squeeze(), *rest)\n"),  # N = 1 squeezes too
    ("lstm_backward",
     "_backward = lstm_backward\n"
     "def lstm_backward(dh, x, h0, Wx, Wh, b):\n"
     "    dx, *rest = _backward(dh, x, h0, Wx, Wh, b)\n"
     "    return (np.squeeze(dx, axis=-1) if dx.shape[-1] == 1 else dx, *rest)\n"),
])
def test_an_lstm_that_squeezes_away_one_input_feature_is_caught(tmp_path, registry, grade,
                                                                name, source):
    """A bug that shows only when D = 1: the cases include one input feature."""
    lesson = registry.get("lstm")
    path = tmp_path / "lstm.py"
    path.write_text(lesson.reference_path.read_text() + "\n\n" + source)
    result = grade(path, [name], lesson=lesson)[name]
    failed = [c for c in result.checks if not c.passed]
    assert any("D=1" in c.name and "N=1" not in c.name for c in failed), result.message
    assert all("D=1" in c.name or "N=1" in c.name for c in failed), result.message
    assert {c.verdict for c in failed} == {"wrong-shape"}, result.message
