"""The backprop layers compiled with Numba: the same functions as reference.py.

Each `_kernel` is the formula written one element at a time and compiled by `@njit`, its
independent iterations spread over the cores (`prange`); the public functions around them
allocate the outputs and keep the reference's types. The matrix products are the
exception: BLAS, called through NumPy's `@`, runs them near the CPU's peak, and a loop
compiled by Numba would reach a fraction of that, so the affine layers use it.
"""

import math

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath


@njit(cache=True, parallel=True, error_model="numpy")
def _add_bias(out, b):
    """out[i, j] += b[j], a row per iteration."""
    for i in prange(out.shape[0]):
        row = out[i]
        for j in range(row.size):
            row[j] += b[j]


@njit(cache=True, parallel=True, error_model="numpy")
def _sum_rows(dout, db):
    """db[j] = Σ_i dout[i, j]: blocks of 256 columns in parallel, each summed row by row
    (so that the inner loop adds a contiguous stretch of a row to 256 sums at once)."""
    n, m = dout.shape
    for block in prange((m + 255) // 256):
        sums = db[block * 256:(block + 1) * 256]
        sums[:] = 0.0
        for i in range(n):
            row = dout[i, block * 256:(block + 1) * 256]
            for j in range(sums.size):
                sums[j] += row[j]


@njit(cache=True, parallel=True, error_model="numpy")
def _relu(x, out):
    """out = max(0, x)."""
    for i in prange(x.size):
        out[i] = x[i] if x[i] > 0.0 else 0.0


@njit(cache=True, parallel=True, error_model="numpy")
def _relu_backward(dout, x, dx):
    """dx = dout where x > 0, else 0."""
    for i in prange(x.size):
        dx[i] = dout[i] if x[i] > 0.0 else 0.0


@njit(cache=True, parallel=True, error_model="numpy")
def _sigmoid_forward(x, out):
    """out = σ(x), with jitmath's σ: e^-|x| never overflows, and the loop vectorizes."""
    for i in prange(x.size):
        out[i] = jitmath.sigmoid(x[i])


@njit(cache=True, parallel=True, error_model="numpy")
def _sigmoid_backward(dout, x, dx):
    """dx = dout * s * (1 - s)."""
    for i in prange(x.size):
        s = jitmath.sigmoid(x[i])
        dx[i] = dout[i] * s * (1.0 - s)


@njit(cache=True, parallel=True, error_model="numpy")
def _softmax_cross_entropy(scores, y, dscores):
    """Per row: log p = s − max(s) − log Σ e^(s − max(s)); loss_i = −log p[y_i];
    dscores = (p − onehot(y)) / N. Returns Σ_i loss_i / N."""
    n, c = scores.shape
    total = 0.0
    for i in prange(n):  # rows are independent; prange adds up `total` across threads
        s, d = scores[i], dscores[i]
        top = jitmath.largest(s)
        for j in range(c):
            d[j] = jitmath.exp(s[j] - top)
        z = jitmath.total(d)
        for j in range(c):
            d[j] /= z * n  # p / N
        d[y[i]] -= 1.0 / n
        total -= s[y[i]] - top - math.log(z)
    return total / n


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def affine_forward(x, w, b):
    """out = x @ w + b, with x (N, D), w (D, M), b (M,). The product is BLAS's (through
    NumPy): near the CPU's peak, where a loop compiled by Numba reaches a fraction of it."""
    out = _f64(x) @ _f64(w)
    _add_bias(out, _f64(b))
    return out


def affine_backward(dout, x, w, b):
    """dx = dout @ w.T, dw = x.T @ dout (BLAS, as above), db = sum of dout over the batch."""
    dout, x, w = _f64(dout), _f64(x), _f64(w)
    db = np.empty(w.shape[1])
    _sum_rows(dout, db)
    return dout @ w.T, x.T @ dout, db


def _elementwise(kernel, *arrays):
    """Run `kernel(*flat inputs, flat out)` and give the output the inputs' shape."""
    flat = [_f64(a).ravel() for a in arrays]
    out = np.empty_like(flat[0])
    kernel(*flat, out)
    return out.reshape(np.shape(arrays[0]))


def relu_forward(x):
    """out = max(0, x), elementwise."""
    return _elementwise(_relu, x)


def relu_backward(dout, x):
    """dx = dout where x > 0, else 0 (the gradient at x == 0 is taken as 0)."""
    return _elementwise(_relu_backward, dout, x)


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)), written so that exp never overflows."""
    return _elementwise(_sigmoid_forward, x)


def sigmoid_backward(dout, x):
    """dx = dout * s * (1 - s) with s = sigmoid(x)."""
    return _elementwise(_sigmoid_backward, dout, x)


def softmax_cross_entropy(scores, y):
    """loss = mean over N of -log softmax(scores)[i, y_i]; dscores = (p - onehot(y)) / N."""
    scores = _f64(scores)
    dscores = np.empty(scores.shape)
    loss = _softmax_cross_entropy(scores, np.ascontiguousarray(y, dtype=np.int64), dscores)
    return float(loss), dscores


def two_layer_net(x, y, w1, b1, w2, b2):
    """affine -> relu -> affine -> softmax cross-entropy; returns (loss, grads)."""
    a1 = affine_forward(x, w1, b1)
    h1 = relu_forward(a1)
    scores = affine_forward(h1, w2, b2)
    loss, dscores = softmax_cross_entropy(scores, y)
    dh1, dw2, db2 = affine_backward(dscores, h1, w2, b2)
    da1 = relu_backward(dh1, a1)
    _, dw1, db1 = affine_backward(da1, x, w1, b1)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2}
