"""The batchnorm experiment: it renders in 80 columns, shows the plain net's activations
collapse at a small gain and saturate at a large one while the normalized net's stay put,
and normalizes with the ops it is given."""

import numpy as np
import pytest
from lesson_helpers import lesson_fixtures, render

SMALL = {"layers": 6, "width": 64, "batch": 128, "pause": 0.0}

lesson, ref, exp = lesson_fixtures("batchnorm")


@pytest.fixture(scope="module")
def sweep(exp, ref):
    return list(exp.frames(ref, **{**exp.PARAMS, "pause": 0.0}))


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"layers", "width", "batch", "gains", "activation", "norm",
                               "seed", "pause"}


def test_one_frame_per_gain_in_80_columns(exp, sweep):
    gains = [float(g) for g in exp.PARAMS["gains"].split(",")]
    assert [f.gain for f in sweep] == gains
    for frame in sweep:
        assert len(frame.plain) == len(frame.normed) == exp.PARAMS["layers"]
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        for layer in frame.plain + frame.normed:
            assert layer.counts.sum() == exp.PARAMS["batch"] * exp.PARAMS["width"]


def test_small_gain_collapses_the_plain_net(sweep):
    first = sweep[0]  # gain 0.5: each layer shrinks the spread by about half
    stds = [layer.std for layer in first.plain]
    assert all(b < a for a, b in zip(stds, stds[1:], strict=False))
    assert stds[-1] < 0.02 * stds[0]


def test_large_gain_saturates_the_plain_net(sweep):
    last = sweep[-1]  # gain 3
    assert last.plain[-1].saturated > 0.2
    assert last.normed[-1].saturated < 0.05


def test_normalized_activations_do_not_depend_on_the_gain(sweep):
    for frame in sweep:
        for layer in frame.normed:
            # tanh of a standard normal: std 0.63
            assert layer.std == pytest.approx(0.63, abs=0.02)
    first, last = sweep[0].normed, sweep[-1].normed
    for a, b in zip(first, last, strict=True):  # batchnorm divides out the weight scale
        assert np.abs(a.counts - b.counts).sum() < 0.01 * a.counts.sum()


class Counting:
    """The reference ops, counting calls to the normalization."""

    def __init__(self, ops):
        self.ops = ops
        self.calls = {"batchnorm_forward": 0, "layernorm_forward": 0}

    def batchnorm_forward(self, *args):
        self.calls["batchnorm_forward"] += 1
        return self.ops.batchnorm_forward(*args)

    def layernorm_forward(self, *args):
        self.calls["layernorm_forward"] += 1
        return self.ops.layernorm_forward(*args)


@pytest.mark.parametrize("norm", ["batchnorm", "layernorm"])
def test_normalization_comes_from_the_ops_given(exp, ref, norm):
    ops = Counting(ref)
    frames = list(exp.frames(ops, **SMALL, gains="0.5,3", norm=norm))
    assert ops.calls[f"{norm}_forward"] == 2 * SMALL["layers"]
    assert sum(ops.calls.values()) == 2 * SMALL["layers"]
    assert frames[1].normed[-1].std == pytest.approx(frames[0].normed[-1].std, rel=0.05)


class Identity(Counting):
    """A normalization that does nothing: the 'normalized' net is the plain one."""

    def batchnorm_forward(self, x, gamma, beta, eps=1e-5):
        super().batchnorm_forward(x, gamma, beta)
        return x.copy()


def test_a_normalization_that_does_nothing_shows_no_difference(exp, ref):
    (frame,) = exp.frames(Identity(ref), **SMALL, gains="0.5")
    for plain, normed in zip(frame.plain, frame.normed, strict=True):
        assert normed.std == pytest.approx(plain.std)
    render(frame)


def test_relu_explodes_without_normalization(exp, ref):
    (frame,) = exp.frames(ref, **SMALL, gains="2", activation="relu")
    stds = [layer.std for layer in frame.plain]
    assert stds[-1] > 5 * stds[0]  # each layer multiplies the spread by about 2/√2
    assert all(layer.std == pytest.approx(0.58, abs=0.05) for layer in frame.normed)
    render(frame)


def test_the_numbers_page_1_quotes(sweep, lesson):
    """Page 1 quotes the plain net's last layer: its spread at gain 0.5, its saturation at 3."""
    import re

    text = " ".join(lesson.pages[0].read_text(encoding="utf-8").split())
    std = re.search(r"standard deviation of about (\S+):", text).group(1)
    share = re.search(r"about (\d+)% of its outputs are beyond", text).group(1)
    assert f"{sweep[0].plain[-1].std:.1g}" == std and sweep[0].gain == 0.5
    assert f"{100 * sweep[-1].plain[-1].saturated:.0f}" == share and sweep[-1].gain == 3.0
