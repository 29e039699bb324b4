"""Returns float32 weights, as a GPU framework might store them."""

import numpy as np

EXERCISE = "sgd_step"
DIAGNOSIS = "wrong-dtype"

def sgd_step(w, dw, lr):
    return (w - lr * dw).astype(np.float32)
