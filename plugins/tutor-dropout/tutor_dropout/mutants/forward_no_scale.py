"""Applies the mask but forgets the 1/(1 - p) scaling (plain, non-inverted dropout)."""

EXERCISE = "dropout_forward"
DIAGNOSIS = "no-scale"


def dropout_forward(x, mask, p):
    return x * mask
