"""Returns the boolean mask x > 0 instead of the values."""


EXERCISE = "relu_forward"
DIAGNOSIS = "wrong-dtype"

def relu_forward(x):
    return x > 0
