"""db summed with keepdims=True: the right numbers as a (1, M) row instead of (M,)."""

EXERCISE = "affine_backward"
DIAGNOSIS = "extra-axis"


def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.sum(axis=0, keepdims=True)
