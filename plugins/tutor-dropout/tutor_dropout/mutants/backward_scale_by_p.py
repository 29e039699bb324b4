"""Scales the gradient by 1/p, reading p as the keep probability."""

EXERCISE = "dropout_backward"
DIAGNOSIS = "scale-by-p"


def dropout_backward(dout, x, mask, p):
    return dout * mask / p
