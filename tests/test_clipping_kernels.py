"""The Numba and CUDA versions of gradient clipping agree with the NumPy reference.

Hypothesis picks a list of arrays (shapes, a magnitude, a seed) and where max_norm sits
relative to their global norm; the numbers come from NumPy's generator. Without a GPU the
CUDA kernels run on the simulator, one Python thread per CUDA thread, so the CUDA lists
stay small.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lesson_helpers import backend_params, kernel_backends, lesson_parts, rel_error

LESSON, ref = lesson_parts("clipping", "reference")
fast, gpu, NO_CUDA = kernel_backends(LESSON)
BACKENDS = backend_params(gpu, NO_CUDA)

# Largest rel_error tolerated in the global-norm results. The sum of squares has only
# positive terms, so summing them in another order (sequentially, or in a tree across
# threads) changes it by a few ulps times log2 of the count: far below 1e-12 for these
# sizes, and the factor max_norm / total_norm inherits that. Clipping by value does no
# arithmetic, so it must agree exactly.
SUMS = 1e-12

shapes = st.lists(st.lists(st.integers(1, 7), min_size=1, max_size=3), min_size=1, max_size=4)
scales = st.sampled_from([1e-3, 1.0, 1e3])
# max_norm as a multiple of the global norm: far below, just below, just above, far above
ratios = st.sampled_from([0.01, 0.5, 0.95, 1.05, 2.0])
seeds = st.integers(0, 2**32 - 1)
few = settings(max_examples=8, deadline=None)


def make(shape_list, scale, seed):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in shape_list]


def run(backend, name, grads, threshold):
    """Call `name` from the backend, check it left its inputs alone and returned new arrays."""
    module = fast if backend == "numba" else gpu
    before = [g.copy() for g in grads]
    result = getattr(module, name)(grads, threshold)
    for g, b in zip(grads, before, strict=True):
        assert np.array_equal(g, b), f"{backend} {name} modified an input"
    clipped = result[0] if name == "clip_by_global_norm" else result
    assert isinstance(clipped, list) and len(clipped) == len(grads)
    for c, g in zip(clipped, grads, strict=True):
        assert isinstance(c, np.ndarray) and c.dtype == np.float64 and c.shape == g.shape
        assert not any(np.may_share_memory(c, x) for x in grads)
    return result


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape_list=shapes, scale=scales, ratio=ratios, seed=seeds)
@example(shape_list=[[1]], scale=1e3, ratio=0.5, seed=0)
@example(shape_list=[[7, 7, 3], [5], [1]], scale=1.0, ratio=0.01, seed=1)  # > 128 elements
def test_clip_by_global_norm(backend, shape_list, scale, ratio, seed):
    grads = make(shape_list, scale, seed)
    max_norm = ratio * math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    clipped, total = run(backend, "clip_by_global_norm", grads, max_norm)
    want_clipped, want_total = ref.clip_by_global_norm(grads, max_norm)
    assert isinstance(total, float) and rel_error(total, want_total) < SUMS
    for c, w in zip(clipped, want_clipped, strict=True):
        assert rel_error(c, w) < SUMS
    clipped_norm = math.sqrt(sum(float(np.sum(c * c)) for c in clipped))
    assert clipped_norm <= max_norm * (1 + 1e-12)  # the cap holds


@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_gradients_are_not_scaled(backend):
    grads = [np.zeros((2, 3)), np.zeros(1)]
    clipped, total = run(backend, "clip_by_global_norm", grads, 1.0)
    assert total == 0.0
    assert all(np.array_equal(c, np.zeros_like(g)) for c, g in zip(clipped, grads, strict=True))


@pytest.mark.parametrize("backend", BACKENDS)
@few
@given(shape_list=shapes, scale=scales, seed=seeds, clip=st.sampled_from([1e-3, 0.5, 2.0]))
@example(shape_list=[[1]], scale=1e3, seed=0, clip=0.5)
def test_clip_by_value(backend, shape_list, scale, seed, clip):
    grads = make(shape_list, scale, seed)
    grads[0].flat[0] = -clip  # exactly at the boundary
    got = run(backend, "clip_by_value", grads, clip)
    for c, w in zip(got, ref.clip_by_value(grads, clip), strict=True):
        assert np.array_equal(c, w)


@pytest.mark.skipif(gpu is None, reason=NO_CUDA)
def test_reduction_covers_every_element_with_a_small_grid():
    """Two blocks of THREADS threads over 1,000 elements: each thread strides over several,
    and the second kernel adds the two block partials."""
    x = np.arange(1.0, 1001.0)  # Σ k² for k = 1 .. 1000 = 1000 · 1001 · 2001 / 6
    partials = gpu.cuda.to_device(np.full(2, np.nan))
    total = gpu.cuda.to_device(np.full(1, np.nan))
    gpu._sum_squares_kernel[2, gpu.THREADS](gpu.cuda.to_device(x), partials)
    gpu._sum_kernel[1, gpu.THREADS](partials, total)
    assert total.copy_to_host()[0] == 1000 * 1001 * 2001 // 6
