"""The bias is broadcast along rows instead of columns."""


EXERCISE = "affine_forward"
DIAGNOSIS = "affine-bias-axis"

def affine_forward(x, w, b):
    return x @ w + b[:, None]
