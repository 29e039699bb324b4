"""Uses 1 - s alone as the local gradient."""


EXERCISE = "sigmoid_backward"
DIAGNOSIS = "sigmoid-grad-missing-s"

def sigmoid_backward(dout, x):
    s = sigmoid_forward(x)
    return dout * (1.0 - s)
