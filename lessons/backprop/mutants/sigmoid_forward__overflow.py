"""exp(x) / (1 + exp(x)) overflows to inf / inf = nan for large x."""

import numpy as np

EXERCISE = "sigmoid_forward"
DIAGNOSIS = "non-finite"

def sigmoid_forward(x):
    e = np.exp(x)
    return e / (1.0 + e)
