"""Multiplies by w transposed."""


EXERCISE = "affine_forward"
DIAGNOSIS = "affine-w-transposed"

def affine_forward(x, w, b):
    return x @ w.T + b
