"""Backprop by hand: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check backprop` to grade them (or
`tutor check backprop.affine_backward` for one exercise). Read the
lesson's pages first; the hints ladder is there when you are stuck.

Conventions for every function:
- Inputs are float64 NumPy arrays (labels are int64). Return new float64
  arrays of exactly the stated shapes; never modify an input in place
  and never return an input itself.
- Weights multiply from the right: a layer computes x @ w with w of
  shape (in, out).
- A backward function takes the upstream gradient first, then the same
  inputs as its forward function, and returns gradients in the order of
  those inputs.
- The loss is the mean over the batch of N examples.
- Stay numerically stable: inputs can be as large as about 1e3 in
  magnitude, and the result must not contain inf or nan where the true
  value is finite.
"""

import numpy as np


def affine_forward(x, w, b):
    """Forward pass of an affine (fully connected) layer.

    Inputs:
    - x: float64 array of shape (N, D), a batch of N examples with D
      features.
    - w: float64 array of shape (D, M), the weights.
    - b: float64 array of shape (M,), the biases.

    Returns:
    - out: float64 array of shape (N, M), out = x @ w + b
      (b added to every row).
    """
    raise NotImplementedError("affine_forward")


def affine_backward(dout, x, w, b):
    """Backward pass of an affine layer.

    Inputs:
    - dout: float64 array of shape (N, M), the upstream gradient
      dL/dout.
    - x, w, b: the forward inputs, shapes (N, D), (D, M) and (M,).

    Returns a tuple (dx, dw, db):
    - dx: float64 array of shape (N, D), dL/dx.
    - dw: float64 array of shape (D, M), dL/dw.
    - db: float64 array of shape (M,), dL/db.
    dout already includes any 1/N from the loss; do not average again.
    """
    raise NotImplementedError("affine_backward")


def relu_forward(x):
    """Forward pass of the ReLU, elementwise.

    Inputs:
    - x: float64 array of any shape.

    Returns:
    - out: float64 array of the shape of x, out = max(0, x). A new
      array: x is unchanged.
    """
    raise NotImplementedError("relu_forward")


def relu_backward(dout, x):
    """Backward pass of the ReLU.

    Inputs:
    - dout: float64 array, the upstream gradient, same shape as x.
    - x: float64 array of any shape, the forward input.

    Returns:
    - dx: float64 array of the shape of x, dL/dx. The gradient is 0
      where x <= 0 (by convention also at x == 0 exactly). Neither dout
      nor x is modified.
    """
    raise NotImplementedError("relu_backward")


def sigmoid_forward(x):
    """Forward pass of the logistic sigmoid, elementwise.

    Inputs:
    - x: float64 array of any shape; entries may be as large as about
      1e3 in magnitude.

    Returns:
    - out: float64 array of the shape of x, out = 1 / (1 + exp(-x)),
      computed without
      overflow: out is 0.0 or 1.0 (never nan) for x = -1000 or x = 1000.
    """
    raise NotImplementedError("sigmoid_forward")


def sigmoid_backward(dout, x):
    """Backward pass of the sigmoid.

    Inputs:
    - dout: float64 array, the upstream gradient, same shape as x.
    - x: float64 array of any shape, the forward input (not the
      sigmoid's output).

    Returns:
    - dx: float64 array of the shape of x, dL/dx. Finite for large
      abs(x).
    """
    raise NotImplementedError("sigmoid_backward")


def softmax_cross_entropy(scores, y):
    """Softmax cross-entropy loss, averaged over the batch, and its gradient.

    Inputs:
    - scores: float64 array of shape (N, C), unnormalized class scores;
      entries may be as large as about 1e3 in magnitude.
    - y: int64 array of shape (N,), the labels, each in 0 .. C - 1.

    Returns a tuple (loss, dscores):
    - loss: Python float, the mean over the N examples of -log
      softmax(scores[i])[y[i]].
    - dscores: float64 array of shape (N, C), the gradient of that loss
      with respect to scores. Neither input is modified.
    """
    raise NotImplementedError("softmax_cross_entropy")


def two_layer_net(x, y, w1, b1, w2, b2):
    """Loss and gradients of a two-layer network:
    affine -> relu -> affine -> softmax cross-entropy.

    Inputs:
    - x: float64 array of shape (N, D), the batch.
    - y: int64 array of shape (N,), labels in 0 .. C - 1.
    - w1: float64 array of shape (D, H); b1: shape (H,).
    - w2: float64 array of shape (H, C); b2: shape (C,).

    Returns a tuple (loss, grads):
    - loss: Python float, the mean softmax cross-entropy over the batch.
    - grads: dict with exactly the keys "w1", "b1", "w2", "b2", each a
      float64 array of the shape of that parameter: the gradient of loss
      with respect to it.
    """
    raise NotImplementedError("two_layer_net")
