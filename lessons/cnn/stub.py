"""Convolutional networks: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check cnn` to grade them (or `tutor check cnn.conv_forward` for
one exercise). Read the lesson's pages first; the hints ladder is there
when you are stuck.

Conventions for every function:
- Arrays are float64 in the layout (N, C, H, W): N images, C channels, H
  rows, W columns. Filters are (F, C, HH, WW): F filters, each with C
  channels of HH rows and WW columns.
- Return new float64 arrays of exactly the stated shapes; never modify
  an input in place and never return an input itself.
- A backward function takes the upstream gradient first, then the same
  inputs as its forward function, and returns gradients in the order of
  those inputs.
- Output sizes use floor division: windows that would run past the
  (padded) input are not taken, and rows or columns left over at the
  bottom or right are ignored.
"""

import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    """Forward pass of a convolutional layer (a cross-correlation, as in every library).

    Inputs:
    - x: float64 array of shape (N, C, H, W), the input images.
    - w: float64 array of shape (F, C, HH, WW), the filters.
    - b: float64 array of shape (F,), one bias per filter.
    - stride: int >= 1, how far the window moves between neighbouring
      outputs.
    - pad: int >= 0, how many rows and columns of zeros surround x on
      every side.

    Returns:
    - out: float64 array of shape (N, F, Ho, Wo) with Ho = 1 +
      (H + 2 * pad - HH) // stride and Wo = 1 + (W + 2 * pad - WW) //
      stride, and out[n, f, i, j] = b[f] + sum over c, p, q of
                        xp[n, c, i * stride + p, j * stride + q] *
                        w[f, c, p, q],
      where xp is x padded with zeros. The filter is not flipped.
    """
    raise NotImplementedError("conv_forward")


def conv_backward(dout, x, w, b, stride=1, pad=0):
    """Backward pass of a convolutional layer.

    Inputs:
    - dout: float64 array of shape (N, F, Ho, Wo), the upstream gradient
      dL/dout.
    - x, w, b, stride, pad: the forward inputs (see conv_forward).

    Returns a tuple (dx, dw, db):
    - dx: float64 array of shape (N, C, H, W), dL/dx (the padding's
      share is dropped).
    - dw: float64 array of shape (F, C, HH, WW), dL/dw.
    - db: float64 array of shape (F,), dL/db.
    Where windows overlap, an input receives the sum of the gradients of
    every window that read it.
    """
    raise NotImplementedError("conv_backward")


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    """Forward pass of max pooling, per image and per channel, with no padding.

    Inputs:
    - x: float64 array of shape (N, C, H, W).
    - pool_height, pool_width: the window's size.
    - stride: how far the window moves; windows overlap when stride <
      the window's size.

    Returns:
    - out: float64 array of shape (N, C, Ho, Wo) with Ho = 1 +
      (H - pool_height) // stride and Wo = 1 + (W - pool_width) //
      stride, and out[n, c, i, j] = the maximum of x[n, c, i * stride :
      i * stride + pool_height, j * stride : j * stride + pool_width].
    """
    raise NotImplementedError("max_pool_forward")


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    """Backward pass of max pooling.

    Inputs:
    - dout: float64 array of shape (N, C, Ho, Wo), the upstream
      gradient.
    - x, pool_height, pool_width, stride: the forward inputs
      (see max_pool_forward).

    Returns:
    - dx: float64 array of shape (N, C, H, W). Each window sends all of
      dout[n, c, i, j] to the position of its maximum and nothing to the
      other positions. When windows overlap, an input that is the
      maximum of several windows receives the sum of their gradients.
      (Graded inputs have no ties: each window has exactly one maximum.)
    """
    raise NotImplementedError("max_pool_backward")
