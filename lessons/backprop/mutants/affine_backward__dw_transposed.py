"""dw is computed as dout.T @ x, the transpose of the right answer."""


EXERCISE = "affine_backward"
DIAGNOSIS = "transposed"

def affine_backward(dout, x, w, b):
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)
