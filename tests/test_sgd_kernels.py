"""The Numba and CUDA versions of the optimizer steps agree with the NumPy reference.

Hypothesis picks a shape (1-D to 3-D, single elements, sizes that leave a ragged last
block), the scale of w against its update, the hyperparameters and a seed; the numbers
come from NumPy's generator. Without a GPU the CUDA kernels run on the simulator, one
Python thread per CUDA thread, so the shapes stay small.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import backend_params, backend_runner, kernel_backends, lesson_parts

LESSON, ref = lesson_parts("sgd", "reference")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# The kernels do the reference's arithmetic in its order, one element at a time, but a GPU
# may fuse a multiply and an add into one rounding (FMA). That moves a result by a few units
# in its last place, or by a tiny fraction of the terms it adds up where they cancel. So each
# output may differ from the reference by 4 ulps plus TOLERANCE times the sum of the
# magnitudes of its terms; for w_new those are the terms of the step, not w, so this checks
# the update w_new - w to 1e-12 of its size even when w is 1e6 times larger.
TOLERANCE = 1e-12

shapes = st.lists(st.integers(1, 20), min_size=1, max_size=3)  # 200 crosses a block of 128
seeds = st.integers(0, 2**32 - 1)
w_scales = st.sampled_from([1e-3, 1.0, 1e3])  # w smaller than, like, and far above dw
lrs = st.sampled_from([0.0, 1e-3, 0.1, 1.5])
momenta = st.sampled_from([0.0, 0.5, 0.9, 0.99])
few = settings(max_examples=8, deadline=None)


def scales(name, args):
    """Per output, the sum of the magnitudes of the terms it adds up (w itself left out)."""
    if name == "sgd_step":
        w, dw, lr = args
        return [np.abs(lr * dw)]
    if name in ("sgd_momentum_step", "nesterov_step"):
        w, dw, v, lr, momentum = args
        velocity = np.abs(momentum * v) + np.abs(lr * dw)
        return [(2 + momentum) * velocity, velocity]  # w - μv + (1 + μ) v_new
    w, dw, m, v, t, lr, *rest = args
    beta1, beta2, eps = rest or (0.9, 0.999, 1e-8)  # all three passed, or none
    m_terms = np.abs(beta1 * m) + np.abs((1 - beta1) * dw)
    v_new = beta2 * v + (1 - beta2) * dw * dw  # a sum of non-negative terms
    step = lr * m_terms / (1 - beta1**t) / (np.sqrt(v_new / (1 - beta2**t)) + eps)
    return [step, m_terms, v_new]


def assert_matches(name, got, args):
    """Same types and shapes as the reference, new arrays, and values within the bound."""
    want = getattr(ref, name)(*args)
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for g, r, scale in zip(got, want, scales(name, args), strict=True):
        assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == r.shape
        assert not any(np.shares_memory(g, a) for a in args if isinstance(a, np.ndarray))
        bound = TOLERANCE * scale + 4 * np.spacing(np.abs(r))
        assert np.all(np.abs(g - r) <= bound), f"{name}: off by {np.max(np.abs(g - r) / bound)}"


def draw(rng, shape, w_scale):
    w = w_scale * rng.standard_normal(shape)
    dw = rng.standard_normal(shape)
    return w, dw


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape=shapes, w_scale=w_scales, lr=lrs, seed=seeds)
@example(shape=[1], w_scale=1e3, lr=1e-3, seed=0)
@example(shape=[200], w_scale=1.0, lr=0.1, seed=1)
def test_sgd_step(backend, shape, w_scale, lr, seed):
    w, dw = draw(np.random.default_rng(seed), shape, w_scale)
    assert_matches("sgd_step", run(backend, "sgd_step", w, dw, lr), (w, dw, lr))


@pytest.mark.parametrize("name", ["sgd_momentum_step", "nesterov_step"])
@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape=shapes, w_scale=w_scales, lr=lrs, momentum=momenta, seed=seeds)
@example(shape=[1], w_scale=1e3, lr=1e-3, momentum=0.9, seed=0)
@example(shape=[3, 67], w_scale=1.0, lr=0.0, momentum=0.5, seed=2)
def test_momentum_steps(backend, name, shape, w_scale, lr, momentum, seed):
    rng = np.random.default_rng(seed)
    w, dw = draw(rng, shape, w_scale)
    v = 0.1 * rng.standard_normal(shape)
    got = run(backend, name, w, dw, v, lr, momentum)
    assert isinstance(got, tuple)
    assert_matches(name, got, (w, dw, v, lr, momentum))


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape=shapes, w_scale=w_scales, t=st.sampled_from([1, 2, 10, 100_000]),
       betas=st.sampled_from([(), (0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)]), seed=seeds)
@example(shape=[1], w_scale=1e3, t=1, betas=(), seed=0)
@example(shape=[2, 100], w_scale=1.0, t=3, betas=(0.5, 0.9, 1e-3), seed=3)
def test_adam_step(backend, shape, w_scale, t, betas, seed):
    rng = np.random.default_rng(seed)
    w, dw = draw(rng, shape, w_scale)
    m, v = 0.1 * rng.standard_normal(shape), rng.uniform(0.0, 1.0, shape)
    dw.flat[0], m.flat[0], v.flat[0] = 0.0, 0.0, 0.0  # never a gradient: no step, no nan
    args = (w, dw, m, v, t, 1e-3, *betas)
    got = run(backend, "adam_step", *args)
    assert isinstance(got, tuple) and len(got) == 3
    assert np.all(np.isfinite(got[0])) and got[0].flat[0] == w.flat[0]
    assert_matches("adam_step", got, args)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_and_non_contiguous_inputs(backend):
    rng = np.random.default_rng(0)
    empty = np.zeros((0, 3))
    assert run(backend, "sgd_step", empty, empty, 0.1).shape == (0, 3)
    w = rng.standard_normal((6, 5))[:, ::2]  # a strided view
    dw, v = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    assert_matches("nesterov_step", run(backend, "nesterov_step", w, dw, v, 0.1, 0.9),
                   (w, dw, v, 0.1, 0.9))


def test_adam_first_step_moves_every_weight_by_about_lr():
    # At t = 1 the bias correction makes m_hat = dw and v_hat = dw², so the step is
    # lr * dw / (|dw| + eps): about lr in size, whatever the size of the gradient.
    dw = np.array([1e-3, -2.0, 50.0])
    for module in filter(None, (ref, fast, gpu)):
        w_new, _, _ = module.adam_step(np.zeros(3), dw, np.zeros(3), np.zeros(3), 1, 0.1)
        np.testing.assert_allclose(w_new, [-0.1, 0.1, -0.1], rtol=1e-4)
