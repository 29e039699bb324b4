"""The Numba and CUDA versions of the cnn layers agree with the NumPy reference.

Hypothesis picks shapes (N = 1, C = 1, non-square inputs and filters, strides and paddings
that leave rows over, overlapping pooling windows) and a seed; the numbers come from
NumPy's generator. Without a GPU the CUDA kernels run on the simulator, one Python thread
per CUDA thread, so the CUDA shapes stay tiny.
"""

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import backend_params, backend_runner, kernel_backends, lesson_parts

LESSON, ref = lesson_parts("cnn", "reference")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)
run = backend_runner(fast, gpu, arrays_only=True)

# Convolutions are sums of products taken in another order than the reference's, so they
# differ by rounding relative to the size of the terms, not of the sum: compare with a
# relative tolerance plus an absolute one scaled to the terms. Pooling does no arithmetic
# except adding the gradients of overlapping windows, which is exact for up to two terms
# and within rounding beyond.
RTOL, ATOL_PER_TERM = 1e-9, 1e-12

seeds = st.integers(0, 2**32 - 1)
few = settings(max_examples=8, deadline=None)


def assert_close(got, want, terms):
    """Same type, dtype and shape; values equal up to rounding of `terms`-term sums."""
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == want.shape
    scale = float(np.max(np.abs(want), initial=1.0))
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL_PER_TERM * terms * scale)


def distinct(rng, shape):
    """All different values (no ties within a pooling window), in random order."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.5 - 3.0 + 0.25


@st.composite
def conv_shapes(draw, small):
    """(N, C, H, W, F, HH, WW, stride, pad) with a window that fits the padded input."""
    top = 2 if small else 3
    n, c, f = (draw(st.integers(1, top)) for _ in range(3))
    hh, ww = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, hh - 2 * pad), 5 if small else 9))
    w = draw(st.integers(max(1, ww - 2 * pad), 5 if small else 9))
    return n, c, h, w, f, hh, ww, stride, pad


def check_conv(backend, shape, seed):
    n, c, h, w, f, hh, ww, stride, pad = shape
    rng = np.random.default_rng(seed)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, hh, ww))
    b = rng.standard_normal(f)
    want = ref.conv_forward(x, wt, b, stride, pad)
    assert_close(run(backend, "conv_forward", x, wt, b, stride, pad), want, c * hh * ww)
    dout = rng.standard_normal(want.shape)
    got = run(backend, "conv_backward", dout, x, wt, b, stride, pad)
    assert isinstance(got, tuple) and len(got) == 3
    dx, dw, db = ref.conv_backward(dout, x, wt, b, stride, pad)
    assert_close(got[0], dx, f * hh * ww)
    assert_close(got[1], dw, n * want.shape[2] * want.shape[3])
    assert_close(got[2], db, n * want.shape[2] * want.shape[3])


@few
@given(shape=conv_shapes(small=False), seed=seeds)
@example(shape=(2, 3, 5, 5, 4, 3, 3, 1, 1), seed=0)  # "same" padding
@example(shape=(2, 2, 6, 8, 3, 3, 3, 2, 1), seed=1)  # a row and a column left over
@example(shape=(1, 1, 4, 5, 2, 3, 2, 1, 2), seed=2)  # N = C = 1, pad 2, a 3x2 filter
@example(shape=(2, 2, 8, 7, 3, 2, 4, 3, 2), seed=3)  # stride 3
@example(shape=(1, 2, 3, 4, 2, 3, 4, 1, 0), seed=4)  # a 1x1 output
@example(shape=(3, 2, 7, 6, 2, 3, 3, 2, 0), seed=5)  # stride 2, pad 0
def test_conv_numba(shape, seed):
    check_conv("numba", shape, seed)


@settings(max_examples=4, deadline=None)
@given(shape=conv_shapes(small=False), seed=seeds, images=st.integers(1, 2))
@example(shape=(3, 2, 5, 5, 2, 3, 3, 2, 1), seed=0, images=2)  # 3 images: chunks of 2 and 1
def test_conv_numba_in_chunks(shape, seed, images):
    """Numba's conv gathers the windows of a chunk of images at a time (a few MiB of them);
    here 1 or 2 images, so that small batches cross chunks and end with a ragged one."""
    n, c, h, w, f, hh, ww, stride, pad = shape
    ho, wo = 1 + (h + 2 * pad - hh) // stride, 1 + (w + 2 * pad - ww) // stride
    with patch.object(fast, "_CHUNK_BYTES", images * 8 * c * hh * ww * ho * wo):
        check_conv("numba", shape, seed)


@pytest.mark.skipif(gpu is None, reason=NO_CUDA)
@settings(max_examples=3, deadline=None)
@given(shape=conv_shapes(small=True), seed=seeds)
@example(shape=(1, 1, 4, 5, 2, 3, 2, 2, 1), seed=0)  # stride 2, pad 1, non-square
@example(shape=(2, 1, 3, 3, 1, 1, 2, 3, 2), seed=1)  # stride 3 over padding only at edges
def test_conv_cuda(shape, seed):
    check_conv("cuda", shape, seed)


@st.composite
def pool_shapes(draw, small):
    """(N, C, H, W, pool_height, pool_width, stride), overlapping or not."""
    top = 2 if small else 3
    n, c = draw(st.integers(1, top)), draw(st.integers(1, top))
    ph, pw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    h = draw(st.integers(ph, 6 if small else 9))
    w = draw(st.integers(pw, 6 if small else 9))
    return n, c, h, w, ph, pw, stride


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape=pool_shapes(small=True), seed=seeds)
@example(shape=(2, 3, 4, 6, 2, 2, 2), seed=0)  # the defaults
@example(shape=(2, 2, 7, 5, 3, 3, 2), seed=1)  # overlapping windows: gradients add up
@example(shape=(1, 1, 5, 4, 3, 2, 1), seed=2)  # overlapping non-square windows
@example(shape=(1, 2, 5, 7, 2, 2, 3), seed=3)  # stride > window: inputs skipped
def test_max_pool(backend, shape, seed):
    n, c, h, w, ph, pw, stride = shape
    rng = np.random.default_rng(seed)
    x = distinct(rng, (n, c, h, w))
    want = ref.max_pool_forward(x, ph, pw, stride)
    assert_close(run(backend, "max_pool_forward", x, ph, pw, stride), want, 1)
    dout = rng.standard_normal(want.shape)
    got = run(backend, "max_pool_backward", dout, x, ph, pw, stride)
    assert_close(got, ref.max_pool_backward(dout, x, ph, pw, stride), ph * pw)


def test_pool_backward_routes_overlaps_to_the_shared_maximum():
    """One 3x3 input whose centre is the largest: all four overlapping 2x2 windows pick it."""
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]]])
    dout = np.array([[[[1.0, 2.0], [4.0, 8.0]]]])
    for module in filter(None, (fast, gpu)):
        dx = module.max_pool_backward(dout, x, 2, 2, 1)
        assert dx[0, 0, 1, 1] == 15.0 and np.count_nonzero(dx) == 1


@pytest.mark.skipif(gpu is None, reason=NO_CUDA)
@pytest.mark.parametrize("shape, threads", [
    ((2, 1, 5, 13, 3), 128),  # 130 terms: a full 7-round tree, most threads with 1 term
    ((1, 2, 3, 6, 3), 32),  # 18 terms: 4 rows of 32 per block, the last block half empty
])
def test_cuda_reductions(monkeypatch, shape, threads):
    """dw and db summed by blocks of several rows of threads, each row a tree in shared
    memory: one thread per term, so every round of the tree does work."""
    monkeypatch.setattr(gpu, "TERMS_PER_THREAD", 1)
    n, c, h, w, f = shape
    assert gpu._reduce_threads(n * h * w) == threads
    rng = np.random.default_rng(5)
    x, wt, b = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, 1, 1)), np.zeros(f)
    dout = rng.standard_normal((n, f, h, w))
    got = gpu.conv_backward(dout, x, wt, b)
    want = ref.conv_backward(dout, x, wt, b)
    for g, e in zip(got, want, strict=True):
        assert_close(g, e, n * h * w)
