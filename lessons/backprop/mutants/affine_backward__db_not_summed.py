"""db is the per-example gradient, not summed over the batch."""


EXERCISE = "affine_backward"
DIAGNOSIS = "missing-batch-sum"

def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.copy()
