"""db averages dout over the batch instead of summing it."""


EXERCISE = "affine_backward"
DIAGNOSIS = "divided-by-n"

def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)
