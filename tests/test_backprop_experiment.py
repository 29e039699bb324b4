"""The backprop experiment: it renders in 80 columns, trains with the ops it is given,
and shows no progress when those ops return no gradient."""

import math

import numpy as np
import pytest
from lesson_helpers import lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("backprop")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, **exp.PARAMS))


def test_interface(exp):
    assert exp.TITLE == "Train a two-layer net on spirals"
    assert set(exp.PARAMS) == {"steps", "hidden", "lr", "seed"}


def test_frames_render_in_80_columns(trained):
    assert len(trained) >= 2
    for frame in trained:
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/" in text
    assert trained[-1].step == trained[-1].steps


def test_the_net_learns(trained):
    first, last = trained[0], trained[-1]
    assert last.loss < first.loss
    assert last.accuracy > 0.8


class Counting:
    """The reference ops, counting calls to two_layer_net."""

    def __init__(self, ops):
        self.ops = ops
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self.ops, name)

    def two_layer_net(self, *args):
        self.calls += 1
        return self.ops.two_layer_net(*args)


def test_the_gradients_come_from_the_ops_given(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=40, hidden=20, every=10))
    assert ops.calls == 40
    assert [f.step for f in frames] == [10, 20, 30, 40]


class NoGradient(Counting):
    """A broken two_layer_net: the right loss, but every gradient zero."""

    def two_layer_net(self, *args):
        loss, grads = super().two_layer_net(*args)
        return loss, {name: np.zeros_like(g) for name, g in grads.items()}


def test_zero_gradients_make_no_progress(exp, ref):
    frames = list(exp.frames(NoGradient(ref), steps=50, every=25))
    for frame in frames:
        assert frame.loss == pytest.approx(math.log(3), abs=1e-3)
    assert frames[-1].loss == pytest.approx(frames[0].loss)
    render(frames[-1])  # a net that learned nothing still draws
