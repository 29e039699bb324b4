"""Forgets the learning rate: w - dw."""


EXERCISE = "sgd_step"
DIAGNOSIS = "sgd-lr-ignored"

def sgd_step(w, dw, lr):
    return w - dw
