"""The LSTM experiment: its gradient curves are the true gradients and show what the
lesson says, they come from the ops it is given, the character model learns, and every
frame fits 80 columns."""

import math

import numpy as np
import pytest
from lesson_helpers import Counting, lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("lstm")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, steps=100, every=50))


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"steps", "hidden", "lr", "length", "forget_bias", "seed"}


def lstm_loss(ref, x, weights, dh_last, t, h_t, c_t):
    """L = Σ dh_last ⊙ h_(T-1), running the LSTM on from the state (h_t, c_t) after step t."""
    h, c = h_t, c_t
    for s in range(t + 1, x.shape[1]):
        h, c = ref.lstm_step_forward(x[:, s], h, c, *weights)
    return float(np.sum(dh_last * h))


def test_lstm_state_gradients_match_central_differences(exp, ref):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, exp.GRAD_D))
    dh_last = rng.standard_normal((2, exp.GRAD_H))
    weights = exp.lstm_weights(rng, exp.GRAD_D, 1.0)
    grads = exp.lstm_state_gradients(ref, x, *weights, dh_last)
    assert len(grads) == 6
    h = c = np.zeros((2, exp.GRAD_H))
    for t in range(6):
        h, c = ref.lstm_step_forward(x[:, t], h, c, *weights)
        if t in (0, 3):  # perturb h_t along v, holding c_t: the carried dh is this gradient
            v, eps = rng.standard_normal(h.shape), 1e-6
            plus = lstm_loss(ref, x, weights, dh_last, t, h + eps * v, c)
            minus = lstm_loss(ref, x, weights, dh_last, t, h - eps * v, c)
            assert np.vdot(grads[t], v) == pytest.approx((plus - minus) / (2 * eps), rel=1e-5)


def test_rnn_state_gradients_match_central_differences(exp):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, exp.GRAD_D))
    dh_last = rng.standard_normal((2, exp.GRAD_H))
    Wx, Wh = exp.rnn_weights(rng, exp.GRAD_D, 1.0)
    grads = exp.rnn_state_gradients(x, Wx, Wh, dh_last)

    def loss(h0, start):
        h = h0
        for s in range(start, 5):
            h = np.tanh(x[:, s] @ Wx + h @ Wh)
        return float(np.sum(dh_last * h))

    h = np.zeros((2, exp.GRAD_H))
    for t in range(3):
        h = np.tanh(x[:, t] @ Wx + h @ Wh)
    v, eps = rng.standard_normal(h.shape), 1e-6
    numeric = (loss(h + eps * v, 3) - loss(h - eps * v, 3)) / (2 * eps)
    assert np.vdot(grads[2], v) == pytest.approx(numeric, rel=1e-5)


def test_the_curves_show_vanishing_exploding_and_the_forget_bias(exp, ref):
    curves = exp.gradient_curves(ref, 50, 3.0, 0)
    assert list(curves) == ["RNN, Wh gain 1", "RNN, Wh gain 3", "LSTM, b_f = 0",
                            "LSTM, b_f = 3"]
    for values in curves.values():
        assert len(values) == 50 and values[-1] == pytest.approx(1.0)
    assert curves["RNN, Wh gain 1"][0] < 1e-6  # vanished
    assert curves["RNN, Wh gain 3"][0] > 1e3  # exploded
    assert curves["LSTM, b_f = 0"][0] < 1e-6  # forgets half per step: vanishes too
    assert 1e-2 < curves["LSTM, b_f = 3"][0] < 10  # the cell path carries it back


def test_the_lstm_curves_and_samples_come_from_the_ops_given(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=4, hidden=8, length=6, every=2))
    assert [f.step for f in frames] == [0, 2, 4]
    samples = len(exp.PROMPT) - 1 + exp.SAMPLE_CHARS  # step calls per sample
    assert ops.calls == {"lstm_step_forward": 2 * 6 + 3 * samples,
                         "lstm_step_backward": 2 * 5}


class NoCarry(Counting):
    """A broken lstm_step_backward: it sends no gradient back to prev_h."""

    def lstm_step_backward(self, *args):
        grads = list(self.ops.lstm_step_backward(*args))
        grads[1] = np.zeros_like(grads[1])
        return tuple(grads)


def test_a_backward_that_drops_the_carry_shows_no_gradient(exp, ref):
    frame = next(iter(exp.frames(NoCarry(ref), steps=1, length=8)))
    assert np.all(frame.curves["LSTM, b_f = 3"][:-1] == 0)
    assert frame.curves["RNN, Wh gain 1"][0] > 0  # the RNN does not use ops
    render(frame)  # and it still draws


def test_the_character_model_learns(trained, exp):
    first, last = trained[0], trained[-1]
    assert first.step == 0 and first.loss is None
    assert [f.step for f in trained] == [0, 50, 100]
    assert last.loss < 1.0 < math.log(27) == pytest.approx(first.top_loss)
    assert last.loss < trained[1].loss
    assert last.sample.startswith(exp.PROMPT)
    assert len(last.sample) == len(exp.PROMPT) + exp.SAMPLE_CHARS
    words = set(exp.TEXT.read_text().replace(".", " ").split())
    written = last.sample.replace(".", " ").split()
    assert sum(w in words for w in written) >= len(written) // 2  # mostly real words


def test_frames_render_in_80_columns(trained):
    for frame in trained:
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
