"""The Numba and CUDA versions of attention agree with the NumPy reference.

Hypothesis picks shapes (N = 1, T = 1, Tq != Tk, widths that are not powers of two), a scale
and a seed; the numbers come from NumPy's generator. Explicit examples cross the kernels'
32-wide tiles, in queries and keys and in the width of a head, where the online softmax
folds in a second tile. Without a GPU the CUDA kernels run on the simulator, one Python
thread per CUDA thread, so the CUDA shapes stay small.
"""

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import assert_close as assert_all_close
from lesson_helpers import backend_params, backend_runner, kernel_backends, lesson_parts

LESSON, ref, cases = lesson_parts("attention", "reference", "cases")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu)

# Largest rel_error tolerated. The kernels sum in another order than NumPy's matrix products
# and recompute the weights as e^(s - lse), so results differ by rounding, which rel_error
# measures against each entry: large only on entries that are small by cancellation. Worst
# seen in 20,000 random cases with entries up to 3 and on 2,000 seeds of the graded cases
# with scores near ±1e3: 2e-9 for outputs and 1.3e-7 for gradients.
FORWARD, BACKWARD = 1e-7, 1e-6

seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([0.1, 1.0, 3.0])
few = settings(max_examples=6, deadline=None)


def assert_close(got, want, tolerance):
    """One array or a tuple of them, as the reference returns; each finite and close."""
    assert isinstance(got, tuple) == isinstance(want, tuple)
    got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
    assert_all_close(got, want, tolerance, finite=True)


def check_attention(backend, q, k, v, dout, causal):
    args = (q, k, v, causal)
    assert_close(run(backend, "attention_forward", *args), ref.attention_forward(*args), FORWARD)
    assert_close(run(backend, "attention_backward", dout, *args),
                 ref.attention_backward(dout, *args), BACKWARD)


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(n=st.integers(1, 3), tq=st.integers(1, 12), tk=st.integers(1, 12), d=st.integers(1, 9),
       dv=st.integers(1, 9), causal=st.booleans(), scale=scales, seed=seeds)
@example(n=1, tq=1, tk=1, d=1, dv=1, causal=True, scale=1.0, seed=0)
@example(n=1, tq=33, tk=33, d=3, dv=2, causal=True, scale=1.0, seed=1)  # two query/key tiles
@example(n=2, tq=3, tk=35, d=34, dv=33, causal=False, scale=0.1, seed=2)  # two column chunks
def test_attention(backend, n, tq, tk, d, dv, causal, scale, seed):
    rng = np.random.default_rng(seed)
    tk = tq if causal else tk
    q, k = rng.uniform(-scale, scale, (n, tq, d)), rng.uniform(-scale, scale, (n, tk, d))
    v, dout = rng.standard_normal((n, tk, dv)), rng.standard_normal((n, tq, dv))
    check_attention(backend, q, k, v, dout, causal)


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 2), tq=st.integers(1, 10), tk=st.integers(1, 10), heads=st.integers(1, 3),
       dh=st.integers(1, 3), causal=st.booleans(), seed=seeds)
@example(n=1, tq=7, tk=7, heads=1, dh=1, causal=True, seed=0)  # D = 1, a ragged last tile
@example(n=2, tq=4, tk=9, heads=2, dh=2, causal=False, seed=1)  # Tq != Tk, two heads
def test_numba_query_tiles(n, tq, tk, heads, dh, causal, seed):
    """Numba's kernels take the queries a tile at a time (64 of them or more; here 3, so
    that small shapes cross tiles): with a causal mask each tile sees only the keys up to
    its last query, and the keys' gradients add up over the tiles."""
    rng = np.random.default_rng(seed)
    tk = tq if causal else tk
    e = heads * dh
    q, k = rng.uniform(-1, 1, (n, tq, e)), rng.uniform(-1, 1, (n, tk, e))
    v, dout = rng.standard_normal((n, tk, e)), rng.standard_normal((n, tq, e))
    x, w = q, [rng.standard_normal((e, e)) / np.sqrt(e) for _ in range(4)]
    with patch.object(fast, "TILE", 3), patch.object(fast, "TILE_BYTES", 0):
        if heads == 1:
            check_attention("numba", q, k, v, dout, causal)
        args = (x, *w, heads, causal)
        assert_close(fast.multihead_attention_forward(*args),
                     ref.multihead_attention_forward(*args), FORWARD)
        assert_close(fast.multihead_attention_backward(dout, *args),
                     ref.multihead_attention_backward(dout, *args), BACKWARD)


@pytest.mark.parametrize("causal, tk", [(True, 70), (False, 67)])
def test_numba_across_a_real_tile(causal, tk):
    """70 queries: a full tile of 64 and a ragged one, as the kernels run by default (under
    a causal mask; without one, when the scores of larger tiles would pass TILE_BYTES)."""
    rng = np.random.default_rng(tk)
    q, k, v = rng.uniform(-1, 1, (2, 70, 5)), rng.uniform(-1, 1, (2, tk, 5)), \
        rng.standard_normal((2, tk, 3))
    with patch.object(fast, "TILE_BYTES", 8 * 2 * 64 * tk):  # 64 queries' scores
        check_attention("numba", q, k, v, rng.standard_normal((2, 70, 3)), causal)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=3, deadline=None)
@given(seed=seeds, causal=st.booleans())
def test_large_scores(backend, seed, causal):
    """Scores near ±1e3 (the graded construction): no overflow, the same values."""
    rng = np.random.default_rng(seed)
    q, k, v = (cases._large_scores(rng, 2, 5, 5, 3, 2, 250.0, 5.0) if causal
               else cases._large_scores(rng, 2, 4, 6, 4, 3, 5.0, 250.0))
    assert np.abs(q @ k.transpose(0, 2, 1)).max() > 1e3
    check_attention(backend, q, k, v, rng.standard_normal((2, q.shape[1], 2 if causal else 3)),
                    causal)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=2, deadline=None)
@given(n=st.integers(1, 2), t=st.integers(1, 6), heads=st.integers(1, 3), dh=st.integers(1, 4),
       causal=st.booleans(), scale=scales, seed=seeds)
@example(n=2, t=5, heads=3, dh=2, causal=True, scale=1.0, seed=0)
def test_multihead(backend, n, t, heads, dh, causal, scale, seed):
    rng = np.random.default_rng(seed)
    e = heads * dh
    x, dout = rng.uniform(-scale, scale, (n, t, e)), rng.standard_normal((n, t, e))
    w = [rng.standard_normal((e, e)) / np.sqrt(e) for _ in range(4)]
    args = (x, *w, heads, causal)
    assert_close(run(backend, "multihead_attention_forward", *args),
                 ref.multihead_attention_forward(*args), FORWARD)
    assert_close(run(backend, "multihead_attention_backward", dout, *args),
                 ref.multihead_attention_backward(dout, *args), BACKWARD)


@pytest.mark.parametrize("backend", BACKENDS)
def test_graded_large_multihead_case(backend):
    """The graded multi-head case with scores near ±1e3, forward and backward."""
    case = next(c for c in cases.multihead_attention_backward(np.random.default_rng(0))
                if "large" in c.label)
    dout, *args = case.args
    assert_close(run(backend, "multihead_attention_forward", *args),
                 ref.multihead_attention_forward(*args), FORWARD)
    assert_close(run(backend, "multihead_attention_backward", dout, *args),
                 ref.multihead_attention_backward(dout, *args), BACKWARD)


def test_causal_weights_ignore_the_future():
    """Changing a later key or value leaves earlier outputs exactly unchanged."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((1, 40, 5)) for _ in range(3))
    k2, v2 = k.copy(), v.copy()
    k2[0, 35:], v2[0, 35:] = 100.0, -100.0
    for module in filter(None, (fast, gpu)):
        a, b = module.attention_forward(q, k, v, True), module.attention_forward(q, k2, v2, True)
        assert np.array_equal(a[0, :35], b[0, :35])
        assert not np.allclose(a[0, 35:], b[0, 35:])
