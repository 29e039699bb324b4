"""Zeroes dout in place."""


EXERCISE = "relu_backward"
DIAGNOSIS = "mutated-input"

def relu_backward(dout, x):
    dout[x <= 0] = 0.0
    return dout
