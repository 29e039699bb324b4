"""The clipping experiment: it renders in 80 columns, its clipped run takes its gradients
from the ops it is given, and with the default settings the unclipped run spikes while the
clipped one does not."""

import math

import numpy as np
import pytest
from lesson_helpers import lesson_fixtures, render

lesson, ref, exp = lesson_fixtures("clipping")


@pytest.fixture(scope="module")
def trained(exp, ref):
    return list(exp.frames(ref, **exp.PARAMS))


class Counting:
    """The reference ops, counting the calls to each clipping function."""

    def __init__(self, ops):
        self.ops = ops
        self.calls = {"clip_by_global_norm": 0, "clip_by_value": 0}

    def clip_by_global_norm(self, grads, max_norm):
        self.calls["clip_by_global_norm"] += 1
        return self.ops.clip_by_global_norm(grads, max_norm)

    def clip_by_value(self, grads, clip):
        self.calls["clip_by_value"] += 1
        return self.ops.clip_by_value(grads, clip)


class NoClip(Counting):
    """A broken clip_by_global_norm: the right norm, but the gradients passed on unchanged."""

    def clip_by_global_norm(self, grads, max_norm):
        _, norm = super().clip_by_global_norm(grads, max_norm)
        return [g.copy() for g in grads], norm


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"steps", "lr", "max_norm", "by_value", "length", "hidden", "seed"}


def test_frames_render_in_80_columns(trained):
    assert [f.step for f in trained] == list(range(25, 501, 25))
    for frame in (trained[0], trained[-1]):
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/{frame.steps}" in text


def test_without_clipping_the_gradient_spikes_and_the_loss_follows(trained):
    plain, clipped = trained[-1].plain, trained[-1].clipped
    typical = float(np.median(plain.norms))
    assert max(plain.norms) > 1000 * typical  # an exploding gradient ...
    assert max(plain.losses) > 1000 * plain.losses[0]  # ... and the step it caused
    # the clipped run meets the same spikes (its norms are measured before clipping) ...
    assert max(clipped.norms) > 10 * float(np.median(clipped.norms))
    # ... but its loss never leaves the range it started in, and it ends lower
    assert max(clipped.losses) < 2 * clipped.losses[0]
    assert np.mean(clipped.losses[-100:]) < np.mean(plain.losses[-100:])
    assert 0 < clipped.clipped < len(clipped.losses)


def test_the_runs_start_alike(trained):
    plain, clipped = trained[-1].plain, trained[-1].clipped
    # same weights and batches: the first loss and the first gradient norm agree
    assert plain.losses[0] == pytest.approx(clipped.losses[0], rel=1e-12)
    assert plain.norms[0] == pytest.approx(clipped.norms[0], rel=1e-12)


def test_the_clipped_run_uses_the_ops_given(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=30, every=10))
    assert ops.calls == {"clip_by_global_norm": 30, "clip_by_value": 0}
    assert [f.step for f in frames] == [10, 20, 30]
    ops = Counting(ref)
    list(exp.frames(ops, steps=30, by_value=True, every=10))
    assert ops.calls == {"clip_by_global_norm": 0, "clip_by_value": 30}


def test_a_clip_that_does_not_clip_makes_the_runs_identical(exp, ref):
    ops = NoClip(ref)
    *_, last = exp.frames(ops, steps=60, every=30)
    assert ops.calls["clip_by_global_norm"] >= 1
    assert last.clipped.clipped == 0
    assert last.clipped.losses == last.plain.losses
    assert max(last.plain.norms) > 100  # the spike in this window that clipping would stop


def test_a_run_that_overflows_stops_and_still_draws(exp, ref):
    *_, last = exp.frames(ref, steps=100, lr=5.0, every=100)  # overflows at step 73
    assert last.plain.diverged_at is not None
    assert len(last.plain.losses) == last.plain.diverged_at
    assert not math.isfinite(last.plain.losses[-1]) or not math.isfinite(last.plain.norms[-1])
    assert all(math.isfinite(v) for v in last.clipped.losses)
    render(last)  # a run that overflowed still draws


def test_what_the_pages_say_of_max_norm(trained, exp, ref):
    """Page 4: at max_norm = 1, about the typical norm, more than half of the steps are
    clipped; at 5 only a small share, and the loss stays far below the unclipped peak."""
    plain, clipped = trained[-1].plain, trained[-1].clipped
    assert 0.5 < float(np.median(plain.norms)) < 2.0
    assert clipped.clipped > len(clipped.losses) / 2
    *_, last = exp.frames(ref, **dict(exp.PARAMS, max_norm=5.0, every=exp.PARAMS["steps"]))
    assert 0 < last.clipped.clipped < len(last.clipped.losses) / 10
    assert max(last.clipped.losses) < max(last.plain.losses) / 1000
