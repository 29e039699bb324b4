"""The Numba and CUDA versions of the GAN losses agree with the NumPy reference.

Hypothesis picks batch lengths (N = 1, a ragged last block, several blocks), a magnitude
and a seed; the numbers come from NumPy's generator. Without a GPU the CUDA kernel runs on
the simulator, one Python thread per CUDA thread, so the batches stay small.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import backend_params, backend_runner, kernel_backends, lesson_parts, rel_error

LESSON, ref = lesson_parts("gan", "reference")
# numba-cuda without its CUDA bindings
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# Largest rel_error tolerated. The gradient is computed elementwise with the reference's
# arithmetic, up to multiplying by 1/N instead of dividing by N (an ulp or two). The losses
# are sums taken in another order (a loop, or a tree in shared memory, instead of NumPy's
# pairwise sum); the terms are all >= 0, so nothing cancels and the difference stays a few
# ulps per term.
ELEMENTWISE, SUMS = 1e-12, 1e-10

lengths = st.integers(1, 300)  # crosses one and two 128-thread blocks
seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([1e-3, 1.0, 30.0, 1e3])
few = settings(max_examples=8, deadline=None)


def logits(rng, n, scale):
    """Values in [-scale, scale], with some exact zeros (where σ = 1/2)."""
    s = rng.uniform(-scale, scale, n)
    s[rng.random(n) < 0.1] = 0.0
    return s


def targets(rng, n):
    """Soft targets in [0, 1], some exactly 0 or 1."""
    t = rng.uniform(0.0, 1.0, n)
    t[rng.random(n) < 0.2] = 0.0
    t[rng.random(n) < 0.2] = 1.0
    return t


def assert_matches(got, want):
    """(loss, grad, ...) against the reference's: a float loss, float64 gradients."""
    assert isinstance(got, tuple) and len(got) == len(want)
    loss, *grads = got
    assert isinstance(loss, float) and math.isfinite(loss)
    assert rel_error(loss, want[0]) < SUMS
    for g, w in zip(grads, want[1:], strict=True):
        assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == w.shape
        assert np.all(np.isfinite(g))
        assert rel_error(g, w) < ELEMENTWISE


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=lengths, scale=scales, seed=seeds)
@example(n=1, scale=1e3, seed=0)
@example(n=129, scale=30.0, seed=1)
def test_bce_with_logits(backend, n, scale, seed):
    rng = np.random.default_rng(seed)
    s, t = logits(rng, n, scale), targets(rng, n)
    assert_matches(run(backend, "bce_with_logits", s, t), ref.bce_with_logits(s, t))


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n_real=lengths, n_fake=lengths, scale=scales, seed=seeds)
@example(n_real=1, n_fake=1, scale=1e3, seed=0)
@example(n_real=200, n_fake=3, scale=1.0, seed=1)
def test_discriminator_loss(backend, n_real, n_fake, scale, seed):
    rng = np.random.default_rng(seed)
    real, fake = logits(rng, n_real, scale), logits(rng, n_fake, scale)
    assert_matches(run(backend, "discriminator_loss", real, fake),
                   ref.discriminator_loss(real, fake))


@pytest.mark.parametrize("name", ["generator_loss", "minimax_generator_loss"])
@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=lengths, scale=scales, seed=seeds)
@example(n=1, scale=1e3, seed=0)
def test_generator_losses(backend, name, n, scale, seed):
    rng = np.random.default_rng(seed)
    s = logits(rng, n, scale)
    assert_matches(run(backend, name, s), getattr(ref, name)(s))


def test_extremes_are_exact():
    """BCE(−1000, 1) = 1000 and friends: finite, and the right values, in every layer."""
    s = np.array([-1000.0, 1000.0, 0.0])
    for module in filter(None, (ref, fast, gpu)):
        loss, d = module.bce_with_logits(s, np.array([1.0, 0.9, 0.5]))
        assert loss == pytest.approx((1000.0 + 100.0 + math.log(2.0)) / 3, rel=1e-15)
        assert np.allclose(d, np.array([-1.0, 0.1, 0.0]) / 3, rtol=0, atol=1e-15)
        loss, d = module.minimax_generator_loss(np.array([1000.0, -1000.0]))
        assert loss == -500.0 and np.array_equal(d, [-0.5, 0.0])
        loss, d = module.generator_loss(np.array([-1000.0]))
        assert loss == 1000.0 and np.array_equal(d, [-1.0])


@pytest.mark.skipif(gpu is None, reason=NO_CUDA)
def test_cuda_threads_loop_when_the_grid_is_capped(monkeypatch):
    """With fewer threads than elements each thread takes several (a grid-stride loop), and
    every block's sum still reaches the total."""
    monkeypatch.setattr(gpu, "MAX_BLOCKS", 2)
    rng = np.random.default_rng(3)
    s, t = logits(rng, 700, 5.0), targets(rng, 700)  # 2 blocks x 128 threads: 2-3 each
    assert_matches(gpu.bce_with_logits(s, t), ref.bce_with_logits(s, t))
