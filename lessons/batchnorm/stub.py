"""Batch normalization and layer normalization: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check batchnorm` to grade them (or
`tutor check batchnorm.batchnorm_backward` for one exercise). Read the
lesson's pages first; the hints ladder is there when you are stuck.

Conventions for every function:
- Inputs are float64 NumPy arrays; x has shape (N, D): N examples
  (rows), D features (columns). gamma and beta have shape (D,). Graded
  batches have N >= 2.
- The variance is the biased one: the mean of (x - mean)^2, dividing by
  the number of values averaged (np.var's default, ddof=0). eps goes
  inside the square root: sqrt(var + eps).
- Return new float64 arrays of exactly the stated shapes; never modify
  an input in place and never return an input itself.
- A backward function takes the upstream gradient first, then the same
  inputs as its forward function, and returns gradients in the order of
  those inputs.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalization in training mode: normalize each feature over the batch.

    Inputs:
    - x: float64 array of shape (N, D).
    - gamma: float64 array of shape (D,), the per-feature scale.
    - beta: float64 array of shape (D,), the per-feature shift.
    - eps: float, added to the variance inside the square root.

    Returns:
    - out: float64 array of shape (N, D), out = gamma * (x - mean) /
      sqrt(var + eps) + beta, where mean and var (biased) are taken over
      the batch, per column (axis 0).
    """
    raise NotImplementedError("batchnorm_forward")


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    """Backward pass of batchnorm_forward.

    Inputs:
    - dout: float64 array of shape (N, D), the upstream gradient
      dL/dout.
    - x, gamma, beta, eps: the forward inputs, shapes (N, D), (D,),
      (D,).

    Returns a tuple (dx, dgamma, dbeta):
    - dx: float64 array of shape (N, D), dL/dx. The batch mean and
      variance depend on x, so the gradient flows through them too.
    - dgamma: float64 array of shape (D,), dL/dgamma.
    - dbeta: float64 array of shape (D,), dL/dbeta.
    """
    raise NotImplementedError("batchnorm_backward")


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    """Update the running statistics that batchnorm uses at inference time.

    Inputs:
    - running_mean: float64 array of shape (D,), the current running
      mean.
    - running_var: float64 array of shape (D,), the current running
      variance.
    - x: float64 array of shape (N, D), this training batch.
    - momentum: float in [0, 1], the weight of the OLD value (the
      opposite of the momentum argument of PyTorch's BatchNorm).

    Returns a tuple (mean_new, var_new), float64 arrays of shape (D,):
    - mean_new = momentum * running_mean + (1 - momentum) * (mean of x
      over the batch)
    - var_new = momentum * running_var + (1 - momentum) * (biased
      variance over the batch)
    Neither running_mean nor running_var is modified.
    """
    raise NotImplementedError("running_stats_update")


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalization: normalize each example over its features.

    Inputs:
    - x: float64 array of shape (N, D).
    - gamma: float64 array of shape (D,), the per-feature scale.
    - beta: float64 array of shape (D,), the per-feature shift.
    - eps: float, added to the variance inside the square root.

    Returns:
    - out: float64 array of shape (N, D), out = gamma * (x - mean) /
      sqrt(var + eps) + beta, where mean and var (biased) are taken over
      the D features of each row (axis 1).
    """
    raise NotImplementedError("layernorm_forward")


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    """Backward pass of layernorm_forward.

    Inputs:
    - dout: float64 array of shape (N, D), the upstream gradient
      dL/dout.
    - x, gamma, beta, eps: the forward inputs, shapes (N, D), (D,),
      (D,).

    Returns a tuple (dx, dgamma, dbeta):
    - dx: float64 array of shape (N, D), dL/dx. Each row's mean and
      variance depend on that row's x, so the gradient flows through
      them too.
    - dgamma: float64 array of shape (D,), dL/dgamma.
    - dbeta: float64 array of shape (D,), dL/dbeta.
    """
    raise NotImplementedError("layernorm_backward")
