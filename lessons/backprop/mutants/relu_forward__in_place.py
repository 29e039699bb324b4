"""Zeroes the negative entries of x in place."""


EXERCISE = "relu_forward"
DIAGNOSIS = "mutated-input"

def relu_forward(x):
    x[x < 0] = 0.0
    return x
