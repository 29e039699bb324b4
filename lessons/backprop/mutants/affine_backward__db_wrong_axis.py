"""db sums over features instead of over the batch."""

import numpy as np

EXERCISE = "affine_backward"
DIAGNOSIS = "affine-db-axis"

def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.sum(axis=1)
