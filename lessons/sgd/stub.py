"""Stochastic gradient descent: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check sgd` to grade them (or `tutor check sgd.adam_step` for one
exercise). Read the lesson's pages first; the hints ladder is there when
you are stuck.

Conventions for every function:
- w, dw and every state array (v, m) are float64 arrays of one shape,
  any shape (1-D and 2-D are graded). lr, momentum, beta1, beta2 and eps
  are Python floats; t is an int.
- Each function is ONE update. Return new float64 arrays of the shape of
  w; never modify an input in place (not w, not the state) and never
  return an input itself.
- The grader compares w_new on the update w_new - w, so a small mistake
  in the step is caught even when w is a thousand times larger than the
  step.
"""

import numpy as np


def sgd_step(w, dw, lr):
    """One step of plain (stochastic) gradient descent.

    Inputs:
    - w: float64 array of any shape, the weights.
    - dw: float64 array of the shape of w, the gradient dL/dw
      (of a minibatch).
    - lr: float, the learning rate (may be 0).

    Returns:
    - w_new: float64 array of the shape of w, w_new = w - lr * dw. A new
      array: w is unchanged.
    """
    raise NotImplementedError("sgd_step")


def sgd_momentum_step(w, dw, v, lr, momentum):
    """One step of SGD with momentum, the velocity form.

    Inputs:
    - w: float64 array of any shape, the weights.
    - dw: float64 array of the shape of w, the gradient.
    - v: float64 array of the shape of w, the velocity from the previous
      step (zeros at the start). The velocity already includes the
      learning rate.
    - lr: float, the learning rate.
    - momentum: float in [0, 1), how much of the old velocity is kept
      (0 gives plain SGD).

    Returns a tuple (w_new, v_new):
    - v_new: float64 array, v_new = momentum * v - lr * dw.
    - w_new: float64 array, w_new = w + v_new.
    """
    raise NotImplementedError("sgd_momentum_step")


def nesterov_step(w, dw, v, lr, momentum):
    """One step of Nesterov momentum, in the form that keeps w (not the look-ahead point).

    Inputs: as sgd_momentum_step (v is the previous velocity; dw the
    gradient at w).

    Returns a tuple (w_new, v_new):
    - v_new: float64 array, v_new = momentum * v - lr * dw (the same
      velocity update).
    - w_new: float64 array, w_new = w - momentum * v + (1 + momentum) *
      v_new, where v is the OLD velocity passed in.
    """
    raise NotImplementedError("nesterov_step")


def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam.

    Inputs:
    - w, dw: float64 arrays of one shape, the weights and their
      gradient.
    - m, v: float64 arrays of the shape of w, the first and second
      moment estimates from the previous step (zeros at the start; v is
      never negative).
    - t: int, the 1-based count of this update (the first update has t =
      1).
    - lr: float, the learning rate.
    - beta1, beta2: floats in [0, 1), the decay rates of m and v.
    - eps: float, added to sqrt(v_hat) in the denominator.

    Returns a tuple (w_new, m_new, v_new):
    - m_new = beta1 * m + (1 - beta1) * dw.
    - v_new = beta2 * v + (1 - beta2) * dw**2. Both are returned raw,
      NOT bias-corrected: they are the state for the next step.
    - w_new = w - lr * m_hat / (sqrt(v_hat) + eps), with the
      bias-corrected m_hat = m_new / (1 - beta1**t) and v_hat = v_new /
      (1 - beta2**t).
    A coordinate whose gradient has always been 0 has m = v = 0: it must
    not move (and must not become nan).
    """
    raise NotImplementedError("adam_step")
