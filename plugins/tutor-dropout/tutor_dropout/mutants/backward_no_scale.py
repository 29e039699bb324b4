"""Masks dout but forgets that the forward pass scaled the kept units by 1/(1 - p)."""

EXERCISE = "dropout_backward"
DIAGNOSIS = "backward-no-scale"


def dropout_backward(dout, x, mask, p):
    return dout * mask
