"""Scales the kept units by 1/p, reading p as the keep probability."""

EXERCISE = "dropout_forward"
DIAGNOSIS = "scale-by-p"


def dropout_forward(x, mask, p):
    return x * mask / p
