"""The GAN experiment: it renders in 80 columns, its generator spreads onto the ring of
modes, every gradient comes from the ops it is given, and a generator loss that returns no
gradient leaves the generator where it started."""

import numpy as np
import pytest
from lesson_helpers import lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("gan")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, steps=1200, seed=0))


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"steps", "loss", "hidden", "lr", "seed"}
    assert set(exp.LOSSES) == {"non-saturating", "minimax"}
    with pytest.raises(ValueError):
        next(exp.frames(None, loss="wasserstein"))


def test_frames_render_in_80_columns(trained):
    assert [f.step for f in trained] == [0, 150, 300, 450, 600, 750, 900, 1050, 1200]
    for frame in trained:
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/1200" in text


def test_mode_shares_count_points_near_each_centre(exp):
    rng = np.random.default_rng(0)
    on_mode_3 = exp.CENTRES[3] + 0.01 * rng.standard_normal((30, 2))
    far = np.zeros((10, 2))  # the centre of the ring is far from every mode
    shares = exp.mode_shares(np.concatenate([on_mode_3, far]))
    assert shares[3] == pytest.approx(0.75) and shares.sum() == pytest.approx(0.75)


def test_the_generator_finds_the_modes(trained, exp):
    first, last = trained[0], trained[-1]
    assert first.shares.sum() < 0.1  # a cloud over the whole plane
    assert last.shares.sum() > 0.3  # most samples near one of the eight modes
    assert last.modes_covered >= 5
    # the real data, measured the same way, is nearly all on a mode and covers every one
    real = exp.mode_shares(exp.real_batch(np.random.default_rng(1), 4000))
    assert real.sum() > 0.99 and (real >= exp.COVERED).all()


def test_the_reported_gradient_is_the_generator_losss(trained, exp, ref):
    """Non-saturating: |N·dfake| = 1 − σ(s), so G's gradient is 1 − D(G(z))."""
    for frame in trained[1:]:
        assert frame.g_grad == pytest.approx(1.0 - frame.d_fake)
        assert 0.8 < frame.d_loss < 1.6 and frame.g_loss > 0  # a game near its balance
    minimax = list(exp.frames(ref, steps=20, loss="minimax", every=10))
    for frame in minimax[1:]:
        assert frame.g_grad == pytest.approx(frame.d_fake)  # |N·dfake| = σ(s) = D(G(z))
        assert frame.g_loss < 0


class Counting:
    """The reference ops, counting the calls of each loss."""

    def __init__(self, ops):
        self.ops = ops
        self.calls = {}

    def __getattr__(self, name):
        def call(*args):
            self.calls[name] = self.calls.get(name, 0) + 1
            return self.wrap(name, getattr(self.ops, name)(*args))

        return call

    def wrap(self, name, result):
        return result


@pytest.mark.parametrize("loss, name", [("non-saturating", "generator_loss"),
                                        ("minimax", "minimax_generator_loss")])
def test_the_gradients_come_from_the_ops_given(exp, ref, loss, name):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=30, loss=loss, every=10))
    assert ops.calls == {"discriminator_loss": 30, name: 30}
    assert [f.step for f in frames] == [0, 10, 20, 30]


class NoGeneratorGradient(Counting):
    """The right generator loss, but a zero gradient."""

    def wrap(self, name, result):
        if name == "generator_loss":
            return result[0], np.zeros_like(result[1])
        return result


def test_no_generator_gradient_leaves_the_generator_still(exp, ref):
    frames = list(exp.frames(NoGeneratorGradient(ref), steps=40, every=20))
    for frame in frames[1:]:
        np.testing.assert_allclose(frame.samples, frames[0].samples, rtol=0, atol=1e-12)
    render(frames[-1])  # a generator that learned nothing still draws
