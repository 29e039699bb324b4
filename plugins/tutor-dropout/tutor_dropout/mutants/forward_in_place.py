"""Masks x in place: the numbers are right, but the caller's x is overwritten."""

EXERCISE = "dropout_forward"
DIAGNOSIS = "mutated-input"


def dropout_forward(x, mask, p):
    x *= mask
    return x / (1.0 - p)
