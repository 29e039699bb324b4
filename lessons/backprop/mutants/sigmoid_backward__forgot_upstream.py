"""Returns s * (1 - s) without multiplying by dout."""


EXERCISE = "sigmoid_backward"
DIAGNOSIS = "forgot-upstream"

def sigmoid_backward(dout, x):
    s = sigmoid_forward(x)
    return s * (1.0 - s)
