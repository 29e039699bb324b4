"""db sums over features instead of over the batch."""


EXERCISE = "affine_backward"
DIAGNOSIS = "affine-db-axis"

def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.sum(axis=1)
