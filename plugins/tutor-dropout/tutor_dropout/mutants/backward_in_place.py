"""Masks dout in place: the numbers are right, but the upstream gradient is overwritten."""

EXERCISE = "dropout_backward"
DIAGNOSIS = "mutated-input"


def dropout_backward(dout, x, mask, p):
    dout *= mask
    return dout / (1.0 - p)
