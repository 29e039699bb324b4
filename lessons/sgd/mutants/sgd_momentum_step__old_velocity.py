"""Moves w by the old velocity, before updating it."""


EXERCISE = "sgd_momentum_step"
DIAGNOSIS = "momentum-old-velocity"

def sgd_momentum_step(w, dw, v, lr, momentum):
    w_new = w + v
    return w_new, momentum * v - lr * dw
