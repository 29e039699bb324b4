"""Masks by the sign of dout instead of the sign of x."""

import numpy as np

EXERCISE = "relu_backward"
DIAGNOSIS = "relu-mask-on-dout"

def relu_backward(dout, x):
    return np.where(dout > 0, dout, 0.0)
