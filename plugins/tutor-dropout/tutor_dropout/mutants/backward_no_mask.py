"""Scales dout but lets the gradient through the dropped units too."""

EXERCISE = "dropout_backward"
DIAGNOSIS = "backward-no-mask"


def dropout_backward(dout, x, mask, p):
    return dout / (1.0 - p)
