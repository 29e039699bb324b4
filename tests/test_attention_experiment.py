"""The attention experiment: it renders in 80 columns, learns the reversal with the ops it is
given, and shows the causal mask in the weights it computes through them."""

import numpy as np
import pytest
from lesson_helpers import lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("attention")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, **exp.PARAMS))


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"steps", "length", "symbols", "width", "lr", "seed"}


def test_frames_render_in_80_columns(trained):
    assert trained[0].step == 0 and trained[-1].step == trained[-1].steps
    for frame in trained:
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/" in text


def test_the_weights_are_distributions_and_the_causal_ones_are_masked(trained):
    for frame in trained:
        for model in (frame.plain, frame.causal):
            assert np.allclose(model.weights.sum(axis=1), 1.0)
            assert (model.weights >= 0).all()
        assert np.all(np.triu(frame.causal.weights, 1) == 0.0)  # no weight on the future
        assert frame.causal.weights[0, 0] == pytest.approx(1.0)


def test_the_plain_layer_learns_to_reverse(trained):
    last = trained[-1].plain
    t = len(trained[-1].example)
    mirror = last.weights[np.arange(t), t - 1 - np.arange(t)]
    assert last.accuracy == 1.0 and last.loss < 0.05
    assert mirror.min() > 0.9  # an anti-diagonal: output t reads input T - 1 - t
    assert np.array_equal(last.predicted, trained[-1].example[::-1])


def test_the_causal_layer_learns_only_the_second_half(trained, exp):
    frame = trained[-1]
    t = len(frame.example)
    half = np.arange(t // 2, t)
    assert frame.causal.weights[half, t - 1 - half].min() > 0.9
    symbols = exp.PARAMS["symbols"]
    # the first half can only guess: right half the time plus luck in the first half
    assert 0.5 < frame.causal.accuracy < 0.5 + 0.5 * 3 / symbols
    assert frame.causal.loss > 0.5 * np.log(symbols) * 0.8


class Counting:
    """The reference ops, counting the calls to the attention functions."""

    def __init__(self, ops):
        self.ops = ops
        self.calls = {"attention_forward": 0, "attention_backward": 0}

    def attention_forward(self, *args):
        self.calls["attention_forward"] += 1
        return self.ops.attention_forward(*args)

    def attention_backward(self, *args):
        self.calls["attention_backward"] += 1
        return self.ops.attention_backward(*args)


def test_the_gradients_come_from_the_ops_given(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=30, every=10))
    assert [f.step for f in frames] == [0, 10, 20, 30]
    assert ops.calls["attention_backward"] == 2 * 30  # both layers, every step
    assert ops.calls["attention_forward"] == 2 * 30 + 4 * len(frames)


class NoGradient(Counting):
    """A broken attention_backward: every gradient zero."""

    def attention_backward(self, *args):
        return tuple(np.zeros_like(g) for g in super().attention_backward(*args))


def test_zero_gradients_learn_nothing(exp, ref):
    frames = list(exp.frames(NoGradient(ref), steps=40, every=20))
    for a, b in zip(frames[0].plain.weights, frames[-1].plain.weights, strict=True):
        assert np.array_equal(a, b)
    assert frames[-1].plain.accuracy < 0.5
    render(frames[-1])  # a layer that learned nothing still draws
