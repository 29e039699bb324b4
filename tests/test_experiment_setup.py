"""An experiment uses each of the learner's functions as soon as it passes."""

import numpy as np

from tutor import experiment
from tutor.experiment import LearnerOps, MixedOps
from tutor.store import Store


def test_each_passing_function_is_the_learners_the_others_the_references(tmp_path, backprop):
    solution = tmp_path / "backprop.py"
    # The learner's affine_forward adds 1000: a call that reaches it cannot be mistaken.
    solution.write_text(backprop.reference_path.read_text()
                        + "\n\ndef affine_forward(x, w, b):\n    return x @ w + b + 1000.0\n")
    store = Store(tmp_path / "p.db")
    setup = experiment.setup(backprop, solution, store)
    assert setup.who == "the reference" and setup.sandbox is None
    assert "affine_forward, relu_forward, two_layer_net" in setup.reason

    store.record_attempt("backprop.affine_forward", "pass", 5, 5, 0.1, str(solution))
    setup = experiment.setup(backprop, solution, store)
    try:
        assert isinstance(setup.ops, MixedOps) and setup.who == "yours where they pass"
        assert setup.yours == ("affine_forward",)
        assert setup.reference_for == ("relu_forward", "two_layer_net")
        assert "still the reference's: relu_forward, two_layer_net" in setup.reason
        x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)
        np.testing.assert_allclose(setup.ops.affine_forward(x, w, b), x @ w + 1000.0)
        assert setup.ops.relu_forward is backprop.reference.relu_forward
    finally:
        setup.close()

    for name in ("relu_forward", "two_layer_net"):
        store.record_attempt(f"backprop.{name}", "pass", 5, 5, 0.1, str(solution))
    setup = experiment.setup(backprop, solution, store)
    setup.close()
    assert isinstance(setup.ops, LearnerOps) and setup.who == "your functions"
    # A function that fails again goes back to the reference.
    store.record_attempt("backprop.two_layer_net", "wrong-value", 1, 5, 0.1, str(solution))
    setup = experiment.setup(backprop, solution, store)
    setup.close()
    assert setup.reference_for == ("two_layer_net",)
