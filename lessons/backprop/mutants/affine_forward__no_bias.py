"""The bias is left out."""


EXERCISE = "affine_forward"
DIAGNOSIS = "affine-no-bias"

def affine_forward(x, w, b):
    return x @ w
