"""Dropout: your implementation.

Conventions used by both functions:

- ``p`` is the probability of DROPPING a unit, a float with 0 <= p < 1.
- ``mask`` has the same shape as ``x`` and holds float64 values 0.0
  (dropped) and 1.0 (kept). The grader passes it in, so your functions
  draw no random numbers themselves.
- This is *inverted* dropout: the kept units are scaled up at training
  time, so that the layer needs no change at inference.

Return new arrays; do not modify the arguments in place.
"""

import numpy as np  # noqa: F401


def dropout_forward(x, mask, p):
    """Training-time dropout.

    Args:
        x: float64 array of any shape, e.g. (N, D) activations or
        (N, C, H) feature maps.
        mask: float64 array, the shape of x; 1.0 keeps a unit, 0.0 drops
        it. Each entry was
            drawn as 1.0 with probability 1 - p.
        p: float in [0, 1), the drop probability.

    Returns:
        out: float64 array, the shape of x: each kept unit scaled so
        that the expected
            value of out equals x; each dropped unit 0.
    """
    raise NotImplementedError("dropout_forward")


def dropout_backward(dout, x, mask, p):
    """Backward pass of dropout_forward.

    Args:
        dout: float64 array, the shape of x: the upstream gradient
        dL/dout.
        x: float64 array, the forward input (the same x that
        dropout_forward saw).
        mask: float64 array, the shape of x: the SAME mask the forward
        pass used.
        p: float in [0, 1), the drop probability the forward pass used.

    Returns:
        dx: float64 array, the shape of x: dL/dx.
    """
    raise NotImplementedError("dropout_backward")
