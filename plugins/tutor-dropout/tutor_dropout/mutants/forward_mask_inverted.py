"""Treats mask == 1 as drop: keeps exactly the units that should be dropped."""

EXERCISE = "dropout_forward"
DIAGNOSIS = "mask-inverted"


def dropout_forward(x, mask, p):
    return x * (1.0 - mask) / (1.0 - p)
