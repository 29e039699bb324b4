"""The bias is left out."""

import numpy as np

EXERCISE = "affine_forward"
DIAGNOSIS = "affine-no-bias"

def affine_forward(x, w, b):
    return x @ w
