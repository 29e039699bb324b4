"""dx uses w instead of w.T."""

import numpy as np

EXERCISE = "affine_backward"
DIAGNOSIS = "affine-dx-no-transpose"

def affine_backward(dout, x, w, b):
    return dout @ w, x.T @ dout, dout.sum(axis=0)
