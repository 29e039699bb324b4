"""Returns the local derivative mask/(1 - p) and leaves out the upstream gradient."""

EXERCISE = "dropout_backward"
DIAGNOSIS = "backward-missing-upstream"


def dropout_backward(dout, x, mask, p):
    return mask / (1.0 - p)
