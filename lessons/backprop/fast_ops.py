"""The backprop layers compiled with Numba: the same functions as reference.py, as loops.

Each `_kernel` is the formula written one element at a time and compiled by `@njit`; the
public functions around them only allocate the outputs and keep the reference's types.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _matmul(a, b, out):
    """out[i, j] = sum_k a[i, k] * b[k, j]."""
    n, d = a.shape
    m = b.shape[1]
    for i in range(n):
        for j in range(m):
            out[i, j] = 0.0
        for k in range(d):  # i, k, j: the inner loop walks rows of b and out contiguously
            aik = a[i, k]
            for j in range(m):
                out[i, j] += aik * b[k, j]


@njit(cache=True)
def _add_bias(out, b):
    """out[i, j] += b[j]."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += b[j]


@njit(cache=True)
def _sum_rows(dout, db):
    """db[j] = sum_i dout[i, j]."""
    for j in range(dout.shape[1]):
        db[j] = 0.0
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            db[j] += dout[i, j]


@njit(cache=True)
def _relu(x, out):
    """out = max(0, x)."""
    for i in range(x.size):
        out[i] = x[i] if x[i] > 0.0 else 0.0


@njit(cache=True)
def _relu_backward(dout, x, dx):
    """dx = dout where x > 0, else 0."""
    for i in range(x.size):
        dx[i] = dout[i] if x[i] > 0.0 else 0.0


@njit(cache=True)
def _sigmoid(x):
    """s = 1 / (1 + e^-x), with e^-|x| so that exp never overflows."""
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0.0 else z / (1.0 + z)


@njit(cache=True)
def _sigmoid_forward(x, out):
    for i in range(x.size):
        out[i] = _sigmoid(x[i])


@njit(cache=True)
def _sigmoid_backward(dout, x, dx):
    """dx = dout * s * (1 - s)."""
    for i in range(x.size):
        s = _sigmoid(x[i])
        dx[i] = dout[i] * s * (1.0 - s)


@njit(cache=True)
def _softmax_cross_entropy(scores, y, dscores):
    """Per row: log p = s - max(s) - log sum exp(s - max(s)); loss_i = -log p[y_i]."""
    n, c = scores.shape
    total = 0.0
    for i in range(n):
        top = scores[i, 0]
        for j in range(1, c):
            top = max(top, scores[i, j])
        z = 0.0
        for j in range(c):
            z += math.exp(scores[i, j] - top)
        log_z = math.log(z)
        for j in range(c):
            dscores[i, j] = math.exp(scores[i, j] - top - log_z)  # p
        dscores[i, y[i]] -= 1.0  # p - onehot(y)
        for j in range(c):
            dscores[i, j] /= n
        total -= scores[i, y[i]] - top - log_z
    return total / n


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def affine_forward(x, w, b):
    """out = x @ w + b, with x (N, D), w (D, M), b (M,)."""
    x, w = _f64(x), _f64(w)
    out = np.empty((x.shape[0], w.shape[1]))
    _matmul(x, w, out)
    _add_bias(out, _f64(b))
    return out


def affine_backward(dout, x, w, b):
    """dx = dout @ w.T, dw = x.T @ dout, db = sum of dout over the batch."""
    dout, x, w = _f64(dout), _f64(x), _f64(w)
    dx = np.empty(x.shape)
    dw = np.empty(w.shape)
    db = np.empty(w.shape[1])
    _matmul(dout, _f64(w.T), dx)
    _matmul(_f64(x.T), dout, dw)
    _sum_rows(dout, db)
    return dx, dw, db


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
