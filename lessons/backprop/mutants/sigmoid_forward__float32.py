"""Returns float32."""

import numpy as np

EXERCISE = "sigmoid_forward"
DIAGNOSIS = "wrong-dtype"

def sigmoid_forward(x):
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)
