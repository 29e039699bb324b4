"""Reference solutions for the backprop lesson, in plain NumPy.

Each function is the readable version of the math in the lesson's pages; the grader
compares a learner's file against these, and the app shows each one beside the learner's
code once their exercise passes.
"""

import numpy as np


def affine_forward(x, w, b):
    """out = x @ w + b, with x (N, D), w (D, M), b (M,)."""
    return x @ w + b


def affine_backward(dout, x, w, b):
    """dx = dout @ w.T, dw = x.T @ dout, db = sum of dout over the batch."""
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """out = max(0, x), elementwise."""
    return np.maximum(x, 0.0)


def relu_backward(dout, x):
    """dx = dout where x > 0, else 0 (the gradient at x == 0 is taken as 0)."""
    return np.where(x > 0, dout, 0.0)


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)), written so that exp never overflows."""
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_backward(dout, x):
    """dx = dout * s * (1 - s) with s = sigmoid(x)."""
    s = sigmoid_forward(x)
    return dout * s * (1.0 - s)


def softmax_cross_entropy(scores, y):
    """loss = mean over N of -log softmax(scores)[i, y_i]; dscores = (p - onehot(y)) / N."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)  # log-sum-exp trick
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_z
    loss = -log_p[np.arange(n), y].mean()
    dscores = np.exp(log_p)
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
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
