"""Multiplies by w transposed."""

import numpy as np

EXERCISE = "affine_forward"
DIAGNOSIS = "affine-w-transposed"

def affine_forward(x, w, b):
    return x @ w.T + b
