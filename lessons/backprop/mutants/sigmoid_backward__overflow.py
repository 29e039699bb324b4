"""exp(-x) / (1 + exp(-x))**2 is right on paper but overflows for x near -1000."""

import numpy as np

EXERCISE = "sigmoid_backward"
DIAGNOSIS = "non-finite"

def sigmoid_backward(dout, x):
    e = np.exp(-x)
    return dout * e / (1.0 + e) ** 2
