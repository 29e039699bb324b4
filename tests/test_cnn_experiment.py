"""The cnn experiment: gradient descent through the ops it is given recovers the hidden
filters, its feature maps are those filters' convolutions, it fits in 80 columns, and it
learns nothing when the ops return no gradient."""

import numpy as np
import pytest
from lesson_helpers import Counting, lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("cnn")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, **exp.PARAMS))


def conv_loops(x, w, pad):
    """A stride-1 cross-correlation written out, independent of the lesson's code."""
    n, h, wd = x.shape[0], x.shape[2], x.shape[3]
    f, k = w.shape[0], w.shape[2]
    xp = np.zeros((n, h + 2 * pad, wd + 2 * pad))
    xp[:, pad:pad + h, pad:pad + wd] = x[:, 0]
    out = np.zeros((n, f, h + 2 * pad - k + 1, wd + 2 * pad - k + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("npq,fpq->nf", xp[:, i:i + k, j:j + k], w[:, 0])
    return out


def test_interface(exp):
    assert exp.TITLE == "Learn edge filters with your convolution"
    assert set(exp.PARAMS) == {"steps", "lr", "seed"}


def test_frames_render_in_80_columns(trained):
    assert [f.step for f in trained] == list(range(0, 61, 5))
    for frame in (trained[0], trained[-1]):
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/60" in text


def test_the_hidden_filters_are_recovered(exp, trained):
    first, last = trained[0], trained[-1]
    assert first.error > 1.0  # random filters are far from the edge detectors
    assert last.loss < 1e-4 * first.loss
    assert np.abs(last.weights - exp.HIDDEN).max() < 0.05
    losses = [f.loss for f in trained]
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))


def test_maps_are_the_learned_filters_convolved(exp, trained):
    x = exp.images(exp.PARAMS["seed"])[:exp.SHOWN]
    for frame in (trained[0], trained[-1]):
        want = conv_loops(x, frame.weights, 1)  # + the bias, learned near 0
        assert frame.maps.shape == (exp.SHOWN, 4, exp.SIZE, exp.SIZE)
        assert np.allclose(frame.maps, want, atol=0.05)
        assert frame.pooled.shape == (4, exp.SIZE // 2, exp.SIZE // 2)
        assert np.allclose(frame.pooled, frame.maps[0].reshape(4, 7, 2, 7, 2).max(axis=(2, 4)))


def test_the_vertical_edge_filter_finds_the_square_sides(exp, trained):
    """Sobel-x responds at the square's left and right sides, with opposite signs, and is
    0 inside the square and on its top edge's middle."""
    square = trained[-1].maps[2, 0]  # image 2 is the square at rows and columns 3..10
    assert square[6, 3] < -2 and square[6, 10] > 2  # bright to the right / to the left
    assert abs(square[6, 6]) < 0.1 and abs(square[3, 6]) < 0.1


def test_the_experiment_uses_the_ops_given_and_few_of_them(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=10, every=5))
    assert [f.step for f in frames] == [0, 5, 10]
    assert ops.calls == {"conv_forward": 11, "conv_backward": 10, "max_pool_forward": 3}


class NoGradient(Counting):
    """A broken conv_backward: every gradient zero."""

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if name != "conv_backward":
            return call
        return lambda *args: tuple(np.zeros_like(g) for g in call(*args))


def test_zero_gradients_learn_nothing(exp, ref):
    frames = list(exp.frames(NoGradient(ref), steps=10, every=10))
    assert frames[0].loss == frames[-1].loss
    assert np.array_equal(frames[0].weights, frames[-1].weights)
    render(frames[-1])  # filters that learned nothing still draw
