"""Gradient clipping as CUDA kernels (numba-cuda): the same functions as reference.py.

All of a model's gradients are packed into one flat device array, so one launch covers
every parameter. The global norm is a reduction in two passes: each block of THREADS
threads sums the squares of its share of the elements in shared memory (a tree: half the
threads add the other half's partial sums, then a quarter, ...), leaving one partial sum per
block; then a single block adds the partial sums the same way. The scaling and the value
clipping are elementwise kernels. Without a GPU the kernels run on Numba's CUDA simulator
(see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
THREADS = 128  # threads per block: a power of two, for the tree reduction
MAX_BLOCKS = 1024  # blocks of the first pass; each thread strides over the rest


@cuda.jit
def _sum_squares_kernel(x, partials):
    """partials[block] = Σ x[i]² over the elements this block's threads visit."""
    cache = cuda.shared.array(THREADS, np.float64)
    tid = cuda.threadIdx.x
    acc = 0.0
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):  # grid-stride loop
        acc += x[i] * x[i]
    cache[tid] = acc
    cuda.syncthreads()
    half = THREADS // 2
    while half > 0:  # every thread runs every round, so each syncthreads is reached by all
        if tid < half:
            cache[tid] += cache[tid + half]
        cuda.syncthreads()
        half //= 2
    if tid == 0:
        partials[cuda.blockIdx.x] = cache[0]


@cuda.jit
def _sum_kernel(partials, total):
    """total[0] = Σ partials, by one block of THREADS threads."""
    cache = cuda.shared.array(THREADS, np.float64)
    tid = cuda.threadIdx.x
    acc = 0.0
    for i in range(tid, partials.size, THREADS):
        acc += partials[i]
    cache[tid] = acc
    cuda.syncthreads()
    half = THREADS // 2
    while half > 0:
        if tid < half:
            cache[tid] += cache[tid + half]
        cuda.syncthreads()
        half //= 2
    if tid == 0:
        total[0] = cache[0]


@cuda.jit
def _scale_kernel(x, factor, out):
    """out = factor · x."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[i] = x[i] * factor


@cuda.jit
def _clip_kernel(x, clip, out):
    """out = min(max(x, -clip), clip)."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[i] = min(max(x[i], -clip), clip)


# Device-side building blocks.

def _blocks(n):
    return max(1, min(MAX_BLOCKS, math.ceil(n / THREADS)))


def _pack(grads):
    """All arrays as one contiguous float64 device array (and the host-side shapes)."""
    shapes = [np.shape(g) for g in grads]
    flat = [np.ascontiguousarray(g, dtype=np.float64).ravel() for g in grads]
    host = np.concatenate(flat) if flat else np.zeros(0)
    return cuda.to_device(host), shapes


def _unpack(device, shapes):
    """The flat device array back on the host, cut into one array per shape."""
    host = device.copy_to_host()
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(host[start:start + size].reshape(shape))  # views of a new array
        start += size
    return out


def _sum_squares(x):
    """Σ x² over a flat device array, as a Python float: block partials, then their sum."""
    blocks = _blocks(x.size)
    partials = cuda.device_array(blocks, dtype=np.float64)
    total = cuda.device_array(1, dtype=np.float64)
    _sum_squares_kernel[blocks, THREADS](x, partials)
    _sum_kernel[1, THREADS](partials, total)
    return float(total.copy_to_host()[0])


def _elementwise(kernel, x, value):
    out = cuda.device_array(x.size, dtype=np.float64)
    kernel[_blocks(x.size), THREADS](x, value, out)
    return out


# The public functions: NumPy arrays in, NumPy arrays out.

def clip_by_value(grads, clip):
    """Each element clamped to [-clip, clip]: g ← min(max(g, -clip), clip)."""
    x, shapes = _pack(grads)
    return _unpack(_elementwise(_clip_kernel, x, float(clip)), shapes)


def clip_by_global_norm(grads, max_norm):
    """‖g‖ = √(Σ over all arrays of Σ g²); if ‖g‖ > max_norm, g ← g · max_norm / ‖g‖."""
    x, shapes = _pack(grads)
    total_norm = math.sqrt(_sum_squares(x))
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return _unpack(_elementwise(_scale_kernel, x, scale), shapes), total_norm
