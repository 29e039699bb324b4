"""Graded inputs for the cnn exercises, chosen to catch real bugs.

Non-square inputs and filters expose swapped heights and widths; stride 2 and 3 expose
windows that do not move by the stride; padding 1 and 2 exposes padding on one side only;
sizes where (H + 2 pad - HH) is not a multiple of the stride expose a ceil where the
contract floors; N = 1 and C = 1 expose broadcasting slips. Pooling windows overlap in
some cases (stride < pool size), where the gradients of two windows must add up, and the
pooling inputs have no ties: every value is distinct, so each window has one maximum.
"""

import numpy as np

from tutor import Case

# (label, N, C, H, W, F, HH, WW, stride, pad); stride and pad None: left to the defaults
CONV_SHAPES = [
    ("N=2, C=3, 5x5 input, 3x3 filters, stride 1, pad 1", 2, 3, 5, 5, 4, 3, 3, 1, 1),
    ("defaults (stride 1, pad 0), 4x7 input, 2x3 filters", 3, 2, 4, 7, 3, 2, 3, None, None),
    ("stride 2, pad 1, 6x8 input: (H + 2 pad - HH) = 5 leaves a row over",
     2, 2, 6, 8, 3, 3, 3, 2, 1),
    ("N=1, C=1, pad 2, 4x5 input, 3x2 filters", 1, 1, 4, 5, 2, 3, 2, 1, 2),
    ("stride 3, pad 2, 8x7 input, 2x4 filters, rows and columns left over",
     2, 2, 8, 7, 3, 2, 4, 3, 2),
    ("filters as large as the input: a 1x1 output", 2, 3, 3, 4, 2, 3, 4, 1, 0),
]


def _conv_inputs(rng):
    for label, n, c, h, wd, f, hh, ww, stride, pad in CONV_SHAPES:
        x = rng.standard_normal((n, c, h, wd))
        w = rng.standard_normal((f, c, hh, ww))
        b = rng.standard_normal(f)
        settings = () if stride is None else (stride, pad)
        yield label, (x, w, b, *settings)


def _conv_out_shape(x, w, stride=1, pad=0):
    return (x.shape[0], w.shape[0], 1 + (x.shape[2] + 2 * pad - w.shape[2]) // stride,
            1 + (x.shape[3] + 2 * pad - w.shape[3]) // stride)


def conv_forward(rng):
    return [Case(label, args) for label, args in _conv_inputs(rng)]


def conv_backward(rng):
    cases = []
    for label, (x, w, b, *settings) in _conv_inputs(rng):
        dout = rng.standard_normal(_conv_out_shape(x, w, *settings))
        cases.append(Case(label, (dout, x, w, b, *settings)))
    return cases


def distinct(rng, shape):
    """Values that are all different (no ties in any window), odd multiples of 1/8 around 0:
    never exactly 0, so nothing sits on a kink."""
    size = int(np.prod(shape))
    return ((rng.permutation(size) - size // 2) * 0.25 + 0.125).reshape(shape)


# (label, N, C, H, W, pool_height, pool_width, stride); pool None: left to the defaults
POOL_SHAPES = [
    ("defaults (2x2, stride 2), N=2, C=3, 4x6 input", 2, 3, 4, 6, None, None, None),
    ("defaults, 5x7 input: the last row and column are left over", 2, 2, 5, 7, None, None, None),
    ("overlapping 3x3 windows, stride 2, 7x5 input", 2, 2, 7, 5, 3, 3, 2),
    ("overlapping 2x2 windows, stride 1, N=1, C=1", 1, 1, 4, 5, 2, 2, 1),
    ("2x3 windows, stride 2, 6x8 input (a column left over)", 1, 3, 6, 8, 2, 3, 2),
    ("3x2 windows, stride 2, 7x7 input: rows overlap, a column is left over",
     2, 2, 7, 7, 3, 2, 2),
]


def _pool_inputs(rng):
    for label, n, c, h, wd, ph, pw, stride in POOL_SHAPES:
        settings = () if ph is None else (ph, pw, stride)
        yield label, (distinct(rng, (n, c, h, wd)), *settings)


def _pool_out_shape(x, ph=2, pw=2, stride=2):
    return (x.shape[0], x.shape[1], 1 + (x.shape[2] - ph) // stride,
            1 + (x.shape[3] - pw) // stride)


def max_pool_forward(rng):
    return [Case(label, args) for label, args in _pool_inputs(rng)]


def max_pool_backward(rng):
    cases = []
    for label, (x, *settings) in _pool_inputs(rng):
        dout = rng.standard_normal(_pool_out_shape(x, *settings))
        cases.append(Case(label, (dout, x, *settings)))
    return cases


def race_inputs(name, rng, size=32):
    """Bigger inputs for `tutor race` and the benchmarks: ``size`` is the images' height and
    width. From 16 on, a batch of 16 images with 16 channels and 32 filters of 3x3, stride 1
    and pad 1 (the output keeps the input's size), as in a CIFAR-10 network's second layer;
    pooling is 2x2 with stride 2 over the 32 channels such a layer makes. Below 16, `size`
    images, channels and filters: few enough for the CUDA simulator."""
    n, c, f = (16, 16, 32) if size >= 16 else (size, size, size)
    x = rng.standard_normal((n, c, size, size))
    w = rng.standard_normal((f, c, 3, 3)) / np.sqrt(9 * c)
    b = rng.standard_normal(f)
    if name == "conv_forward":
        return x, w, b, 1, 1
    if name == "conv_backward":
        return rng.standard_normal((n, f, size, size)), x, w, b, 1, 1
    x = distinct(rng, (n, f, size, size))
    if name == "max_pool_forward":
        return x, 2, 2, 2
    return rng.standard_normal(_pool_out_shape(x)), x, 2, 2, 2


# Heavy functions to benchmark, and the `size` values for race_inputs: (quick ones the CUDA
# simulator gets through in seconds, realistic ones); `tutor race` takes the first of each.
BENCHMARKS = {
    "conv_forward": ([2, 4], [32, 64]),
    "conv_backward": ([2, 4], [32, 64]),
    "max_pool_forward": ([2, 4], [32, 64]),
    "max_pool_backward": ([2, 4], [32, 64]),
}
