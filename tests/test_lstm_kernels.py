"""The Numba and CUDA versions of the LSTM agree with the NumPy reference.

Hypothesis picks shapes (N = 1, T = 1, 4H crossing a 16-wide tile), an input scale and a
seed; the numbers come from NumPy's generator. Without a GPU the CUDA kernels run on the
simulator, one Python thread per CUDA thread, so the CUDA shapes and example counts stay
small.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lesson_helpers import (
    assert_close,
    backend_params,
    backend_runner,
    kernel_backends,
    lesson_parts,
    rel_error,
)

LESSON, ref = lesson_parts("lstm", "reference")
# numba-cuda without its CUDA bindings; anything else fails
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# Largest rel_error tolerated. Sums are taken in another order than BLAS takes them, so
# results differ by rounding: about 1e-16 times the summands, which rel_error measures
# against its floor of 1e-8 where a value cancels to near zero (a cell f c + i g near 0).
# Gradients also pass through σ(1 - σ): where a gate is nearly saturated, 1 - σ(a) keeps
# only a few digits and the last bit of a decides them. Worst seen in 1,500 random cases
# with sizes up to 20 and inputs up to 3: 8e-9 forward, 2e-7 for gradients; a real bug
# is off by 1e-3 or more.
FORWARD, GRADIENTS = 1e-7, 1e-5

seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([1e-3, 1.0, 3.0])
# the simulator runs a Python thread per CUDA thread: few, small examples there
numba_sizes, cuda_sizes = st.integers(1, 20), st.integers(1, 4)
numba_examples, cuda_examples = settings(max_examples=10, deadline=None), \
    settings(max_examples=2, deadline=None)
needs_cuda = pytest.mark.skipif(gpu is None, reason=NO_CUDA)


def weights(rng, d, h, scale=1.0):
    """Wx (D, 4H), Wh (H, 4H), b (4H,), every block different."""
    return (scale * rng.standard_normal((d, 4 * h)), rng.standard_normal((h, 4 * h)),
            rng.standard_normal(4 * h))


@numba_examples
@given(n=numba_sizes, d=numba_sizes, h=numba_sizes, scale=scales, seed=seeds)
def test_step_numba(n, d, h, scale, seed):
    check_step("numba", n, d, h, scale, seed)


@needs_cuda
@cuda_examples
@given(n=cuda_sizes, d=cuda_sizes, h=cuda_sizes, scale=scales, seed=seeds)
def test_step_cuda(n, d, h, scale, seed):
    check_step("cuda", n, d, h, scale, seed)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n, d, h", [(1, 1, 1), (1, 17, 5), (3, 2, 4)])
def test_step_edges(backend, n, d, h):
    """N = 1, D across a 16-wide tile and 4H = 20 across another, D != H."""
    check_step(backend, n, d, h, 1.0, n + d + h)


def check_step(backend, n, d, h, scale, seed):
    rng = np.random.default_rng(seed)
    x, prev_h, prev_c = (scale * rng.standard_normal((n, d)), rng.standard_normal((n, h)),
                         rng.standard_normal((n, h)))
    Wx, Wh, b = weights(rng, d, h)
    dnext_h, dnext_c = rng.standard_normal((n, h)), rng.standard_normal((n, h))
    got = run(backend, "lstm_step_forward", x, prev_h, prev_c, Wx, Wh, b)
    assert isinstance(got, tuple)
    assert_close(got, ref.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b), FORWARD)
    args = (dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b)
    got = run(backend, "lstm_step_backward", *args)
    assert isinstance(got, tuple)
    assert_close(got, ref.lstm_step_backward(*args), GRADIENTS)


@numba_examples
@given(n=numba_sizes, t=st.integers(1, 12), d=numba_sizes, h=numba_sizes, scale=scales,
       seed=seeds)
def test_sequence_numba(n, t, d, h, scale, seed):
    check_sequence("numba", n, t, d, h, scale, seed)


@needs_cuda
@cuda_examples
@given(n=cuda_sizes, t=st.integers(1, 3), d=cuda_sizes, h=cuda_sizes, scale=scales,
       seed=seeds)
def test_sequence_cuda(n, t, d, h, scale, seed):
    check_sequence("cuda", n, t, d, h, scale, seed)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n, t, d, h", [(1, 1, 2, 3), (2, 2, 1, 5), (2, 20, 3, 2)])
def test_sequence_edges(backend, n, t, d, h):
    """T = 1 and N = 1; 4H = 20 across a tile, carried over two steps; T = 20 crosses the
    16 steps whose x Wx Numba's forward pass computes together."""
    check_sequence(backend, n, t, d, h, 1.0, n + t + d + h)


def check_sequence(backend, n, t, d, h, scale, seed):
    rng = np.random.default_rng(seed)
    x, h0 = scale * rng.standard_normal((n, t, d)), rng.standard_normal((n, h))
    Wx, Wh, b = weights(rng, d, h)
    dh = rng.standard_normal((n, t, h))
    got = run(backend, "lstm_forward", x, h0, Wx, Wh, b)
    assert_close([got], [ref.lstm_forward(x, h0, Wx, Wh, b)], FORWARD)
    got = run(backend, "lstm_backward", dh, x, h0, Wx, Wh, b)
    assert isinstance(got, tuple)
    assert_close(got, ref.lstm_backward(dh, x, h0, Wx, Wh, b), GRADIENTS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_saturated_gates(backend):
    """Pre-activations of ±1e3 on half the units: every backend stays finite and right."""
    rng = np.random.default_rng(7)
    n, t, d, h = 2, 2, 2, 2
    x, h0 = rng.standard_normal((n, t, d)), rng.standard_normal((n, h))
    Wx, Wh, b = weights(rng, d, h)
    b[::2] = 1e3 * rng.choice([-1.0, 1.0], 2 * h)  # these gates fully open or fully shut
    dh = rng.standard_normal((n, t, h))
    got = run(backend, "lstm_forward", x, h0, Wx, Wh, b)
    assert np.all(np.isfinite(got))
    assert_close([got], [ref.lstm_forward(x, h0, Wx, Wh, b)], FORWARD)
    got = run(backend, "lstm_backward", dh, x, h0, Wx, Wh, b)
    assert all(np.all(np.isfinite(g)) for g in got)
    assert_close(got, ref.lstm_backward(dh, x, h0, Wx, Wh, b), GRADIENTS)


def test_a_wrong_gate_order_is_not_close():
    """The comparison can fail: swapping o and g in the reference's bias moves the result."""
    rng = np.random.default_rng(3)
    x, h0 = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3))
    Wx, Wh, b = weights(rng, 2, 3)
    swapped = np.concatenate([b[:6], b[9:], b[6:9]])
    assert rel_error(fast.lstm_forward(x, h0, Wx, Wh, swapped),
                     ref.lstm_forward(x, h0, Wx, Wh, b)) > 1e-3


@pytest.mark.parametrize("name", ["lstm_step_forward", "lstm_step_backward", "lstm_forward",
                                  "lstm_backward"])
def test_race_inputs_fit_every_backend(name):
    make = LESSON.module("cases").race_inputs
    args = make(name, np.random.default_rng(0), 3)
    assert_close(_flat(fast, name, args), _flat(ref, name, args), GRADIENTS)


def _flat(module, name, args):
    out = getattr(module, name)(*args)
    return list(out) if isinstance(out, tuple) else [out]
