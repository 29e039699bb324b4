"""Returns the local gradient without multiplying by dout."""

import numpy as np

EXERCISE = "relu_backward"
DIAGNOSIS = "forgot-upstream"

def relu_backward(dout, x):
    return (x > 0).astype(np.float64)
