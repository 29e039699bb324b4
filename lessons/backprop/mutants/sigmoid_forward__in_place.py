"""Negates x in place to compute exp(-x)."""

import numpy as np

EXERCISE = "sigmoid_forward"
DIAGNOSIS = "mutated-input"

def sigmoid_forward(x):
    np.negative(x, out=x)
    return 1.0 / (1.0 + np.exp(x))
