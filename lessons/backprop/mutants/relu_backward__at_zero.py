"""Passes the gradient where x == 0 (x >= 0 instead of x > 0)."""

import numpy as np

EXERCISE = "relu_backward"
DIAGNOSIS = "relu-at-zero"

def relu_backward(dout, x):
    return np.where(x >= 0, dout, 0.0)
