"""The Numba and CUDA versions of the normalization layers agree with the NumPy reference.

Hypothesis picks shapes (N = 2, D = 1, more lines than one 32-line reduction block, lines
longer than the 8 threads that walk them), a scale, an offset and a seed; the numbers come
from NumPy's generator. Without a GPU the CUDA kernels run on the simulator, one Python
thread per CUDA thread, so the CUDA cases stay few and small.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import (
    assert_close,
    backend_params,
    backend_runner,
    kernel_backends,
    lesson_parts,
)

LESSON, ref = lesson_parts("batchnorm", "reference")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# Largest rel_error tolerated. Sums taken in another order (the GPU's tree) differ by
# rounding relative to the summands; the output gamma * x_hat + beta can cancel to near 0,
# which magnifies that (worst seen in 3,000 random cases: 1e-10). dx cancels by design: with
# N = 2 it is about eps / var times its terms, so rounding of the terms shows (worst seen:
# 4e-9). A kernel with a real bug (a wrong axis, a missing barrier) is off by far more.
SUMS, CANCELS = 1e-7, 1e-6

seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([1e-3, 1.0, 30.0])  # 1e-3: variance below eps
offsets = st.sampled_from([0.0, 3.0, 300.0])  # in units of the scale
few = settings(max_examples=6, deadline=None)


def inputs(n, d, scale, offset, seed):
    rng = np.random.default_rng(seed)
    x = scale * (offset + rng.standard_normal((n, d)))
    gamma, beta = rng.uniform(-2.0, 2.0, d), rng.uniform(-1.0, 1.0, d)
    return x, gamma, beta, rng.standard_normal((n, d))


def check_both(backend, kind, x, gamma, beta, dout, eps):
    """Forward and backward of batchnorm or layernorm against the reference."""
    forward, backward = f"{kind}_forward", f"{kind}_backward"
    got = run(backend, forward, x, gamma, beta, eps)
    assert_close([got], [getattr(ref, forward)(x, gamma, beta, eps)], [SUMS])
    got = run(backend, backward, dout, x, gamma, beta, eps)
    assert isinstance(got, tuple)
    assert_close(got, getattr(ref, backward)(dout, x, gamma, beta, eps), [CANCELS, SUMS, SUMS])


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=st.integers(2, 20), d=st.integers(1, 36), scale=scales, offset=offsets, seed=seeds,
       eps=st.sampled_from([1e-5, 1e-3]))
@example(n=2, d=1, scale=1.0, offset=0.0, seed=0, eps=1e-5)  # the smallest batch
@example(n=19, d=33, scale=30.0, offset=300.0, seed=1, eps=1e-5)  # a second, ragged block
@example(n=3, d=150, scale=1.0, offset=3.0, seed=2, eps=1e-5)  # 3 of Numba's 64-column blocks
def test_batchnorm(backend, n, d, scale, offset, seed, eps):
    x, gamma, beta, dout = inputs(n, d, scale, offset, seed)
    check_both(backend, "batchnorm", x, gamma, beta, dout, eps)


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=st.integers(1, 36), d=st.integers(1, 20), scale=scales, offset=offsets, seed=seeds,
       eps=st.sampled_from([1e-5, 1e-3]))
@example(n=1, d=2, scale=1.0, offset=0.0, seed=0, eps=1e-5)  # one example, two features
@example(n=33, d=19, scale=1e-3, offset=3.0, seed=1, eps=1e-5)
@example(n=11, d=70, scale=1.0, offset=0.0, seed=2, eps=1e-5)  # Numba's 8 shares of the rows
def test_layernorm(backend, n, d, scale, offset, seed, eps):
    x, gamma, beta, dout = inputs(n, d, scale, offset, seed)
    check_both(backend, "layernorm", x, gamma, beta, dout, eps)


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=st.integers(2, 20), d=st.integers(1, 36), scale=scales, offset=offsets, seed=seeds,
       momentum=st.sampled_from([0.0, 0.1, 0.9, 1.0]))
@example(n=2, d=33, scale=1.0, offset=300.0, seed=0, momentum=0.9)
@example(n=4, d=130, scale=1.0, offset=3.0, seed=1, momentum=0.5)  # 3 64-column blocks
def test_running_stats_update(backend, n, d, scale, offset, seed, momentum):
    x, running_mean, running_var, _ = inputs(n, d, scale, offset, seed)
    running_var = running_var**2
    got = run(backend, "running_stats_update", running_mean, running_var, x, momentum)
    assert isinstance(got, tuple)
    want = ref.running_stats_update(running_mean, running_var, x, momentum)
    assert_close(got, want, [SUMS, SUMS])


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_feature_gives_beta(backend):
    """A column (or row) with no variance normalizes to exactly 0: the output is beta."""
    x = np.array([[2.0, 1.0, 5.0], [2.0, -1.0, 5.0], [2.0, 3.0, 5.0]])
    gamma, beta = np.array([1.5, 2.0, -1.0]), np.array([0.25, -0.5, 1.0])
    bn = run(backend, "batchnorm_forward", x, gamma, beta)
    assert np.array_equal(bn[:, 0], np.full(3, 0.25)) and np.array_equal(bn[:, 2], np.ones(3))
    ln = run(backend, "layernorm_forward", x.T, gamma, beta)
    assert np.array_equal(ln[0], beta)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backward_identities(backend):
    """Each column of batchnorm's dx (row of layernorm's) sums to 0; dout of ones gives
    dbeta = N and dx = 0."""
    rng = np.random.default_rng(7)
    x, gamma, beta = rng.standard_normal((5, 4)), rng.uniform(0.5, 2, 4), rng.standard_normal(4)
    dx, _, _ = run(backend, "batchnorm_backward", rng.standard_normal((5, 4)), x, gamma, beta)
    assert np.allclose(dx.sum(axis=0), 0.0, atol=1e-12)
    dx, _, _ = run(backend, "layernorm_backward", rng.standard_normal((5, 4)), x, gamma, beta)
    assert np.allclose(dx.sum(axis=1), 0.0, atol=1e-12)
    dx, _, dbeta = run(backend, "batchnorm_backward", np.ones((5, 4)), x, gamma, beta)
    assert np.allclose(dx, 0.0, atol=1e-12) and np.array_equal(dbeta, np.full(4, 5.0))
