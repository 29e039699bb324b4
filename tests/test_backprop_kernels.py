"""The Numba and CUDA versions of the backprop layers agree with the NumPy reference.

Hypothesis picks shapes (N = 1, ragged tiles), a magnitude and a seed; the numbers come from
NumPy's generator. Without a GPU the CUDA kernels run on the simulator, one Python thread
per CUDA thread, so the CUDA shapes stay small.
"""

import os
import subprocess
import sys

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
    rel_error,
)

from tutor import accel

LESSON, ref = lesson_parts("backprop", "reference")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# Largest rel_error tolerated. Elementwise layers do the reference's arithmetic in the same
# order. Sums taken in another order differ by rounding relative to the summands, which
# rel_error measures against the sum: large only where the sum cancels to near zero (worst
# seen in 20,000 random cases: 6e-10). In dscores, p - 1 cancels when p is near 1: a few
# ulps of 1 over rel_error's floor of 1e-8 is about 1e-7, and it carries into the two-layer
# net's gradients (worst seen: 7e-8).
ELEMENTWISE, SUMS, CANCELS = 1e-12, 1e-8, 1e-6

dims = st.integers(1, 20)  # crosses one 16 x 16 tile
seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([1e-3, 1.0, 30.0, 1e3])
few = settings(max_examples=10, deadline=None)


def uniform(rng, shape, scale):
    """Values in [-scale, scale], with some exact zeros (the relu's kink)."""
    x = rng.uniform(-scale, scale, shape)
    x[rng.random(shape) < 0.1] = 0.0
    return x


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=dims, d=dims, m=dims, seed=seeds)
@example(n=1, d=1, m=1, seed=0)
@example(n=1, d=17, m=5, seed=1)
@example(n=20, d=3, m=17, seed=2)
@example(n=3, d=2, m=300, seed=3)  # db in Numba's blocks of 256 columns, the last ragged
def test_affine(backend, n, d, m, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((n, d)), rng.standard_normal((d, m))
    b, dout = rng.standard_normal(m), rng.standard_normal((n, m))
    assert_close([run(backend, "affine_forward", x, w, b)], [ref.affine_forward(x, w, b)], SUMS)
    got = run(backend, "affine_backward", dout, x, w, b)
    assert isinstance(got, tuple)
    assert_close(got, ref.affine_backward(dout, x, w, b), SUMS)


@pytest.mark.parametrize("name", ["relu", "sigmoid"])
@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape=st.lists(dims, min_size=1, max_size=3), scale=scales, seed=seeds)
@example(shape=[1], scale=1e3, seed=0)
def test_elementwise(backend, name, shape, scale, seed):
    rng = np.random.default_rng(seed)
    x, dout = uniform(rng, shape, scale), rng.standard_normal(shape)
    forward, backward = f"{name}_forward", f"{name}_backward"
    assert_close([run(backend, forward, x)], [getattr(ref, forward)(x)], ELEMENTWISE)
    assert_close([run(backend, backward, dout, x)], [getattr(ref, backward)(dout, x)], ELEMENTWISE)


def test_sigmoid_extremes():
    x = np.array([-1e3, -750.0, -1.0, 0.0, 1.0, 750.0, 1e3])
    for module in filter(None, (fast, gpu)):
        s = module.sigmoid_forward(x)
        assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[3] == 0.5 and s[-1] == 1.0


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=dims, c=dims, scale=scales, seed=seeds)
@example(n=1, c=1, scale=1e3, seed=0)
@example(n=1, c=17, scale=1e3, seed=1)
def test_softmax_cross_entropy(backend, n, c, scale, seed):
    rng = np.random.default_rng(seed)
    scores, y = uniform(rng, (n, c), scale), rng.integers(0, c, n)
    y_before = y.copy()
    loss, dscores = run(backend, "softmax_cross_entropy", scores, y)
    want_loss, want_dscores = ref.softmax_cross_entropy(scores, y)
    assert np.array_equal(y, y_before)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert rel_error(loss, want_loss) < SUMS
    assert_close([dscores], [want_dscores], CANCELS)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=5, deadline=None)
@given(n=dims, d=dims, h=dims, c=st.integers(1, 10), scale=scales, seed=seeds)
@example(n=1, d=3, h=17, c=4, scale=1.0, seed=0)
def test_two_layer_net(backend, n, d, h, c, scale, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, d)) * scale, rng.integers(0, c, n)
    w1, b1 = rng.standard_normal((d, h)), rng.standard_normal(h)
    w2, b2 = rng.standard_normal((h, c)), rng.standard_normal(c)
    loss, grads = run(backend, "two_layer_net", x, y, w1, b1, w2, b2)
    want_loss, want_grads = ref.two_layer_net(x, y, w1, b1, w2, b2)
    assert isinstance(loss, float) and rel_error(loss, want_loss) < SUMS
    assert isinstance(grads, dict) and sorted(grads) == sorted(want_grads)
    assert_close([grads[k] for k in want_grads], list(want_grads.values()), CANCELS)


# Where CUDA runs

def python(code, **env):
    """Run `code` in a fresh interpreter with NUMBA_ENABLE_CUDASIM unset (or as given)."""
    environ = {k: v for k, v in os.environ.items() if k != accel.SIMULATOR_ENV} | env
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_accel_does_not_import_numba():
    assert python("import sys, tutor.accel; print('numba' in sys.modules)") == "False"


def test_this_machine_picks_the_simulator_without_a_driver():
    want = "gpu" if accel.has_cuda_driver() else "simulator"
    assert python("import tutor.accel as a; print(a.cuda_target())") == want


@pytest.mark.parametrize("driver", [True, False])
def test_choice_holds_even_after_numba_is_imported(driver):
    code = ("import numba, tutor.accel as a\n"
            f"a.has_cuda_driver = lambda: {driver}\n"
            "print(a.select_cuda_target(), numba.config.ENABLE_CUDASIM)")
    assert python(code) == ("gpu 0" if driver else "simulator 1")


def test_an_explicit_setting_wins():
    code = "import tutor.accel as a\na.has_cuda_driver = lambda: True\nprint(a.cuda_target())"
    assert python(code, NUMBA_ENABLE_CUDASIM="1") == "simulator"
