"""Uses s * (1 + s) instead of s * (1 - s)."""


EXERCISE = "sigmoid_backward"
DIAGNOSIS = "sigmoid-grad-plus"

def sigmoid_backward(dout, x):
    s = sigmoid_forward(x)
    return dout * s * (1.0 + s)
