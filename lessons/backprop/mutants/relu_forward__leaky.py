"""A leaky ReLU (slope 0.01 for negatives) instead of ReLU."""

import numpy as np

EXERCISE = "relu_forward"
DIAGNOSIS = "relu-leaky"

def relu_forward(x):
    return np.maximum(x, 0.01 * x)
