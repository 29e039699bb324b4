"""Ignores the old velocity: v_new = -lr * dw."""


EXERCISE = "sgd_momentum_step"
DIAGNOSIS = "momentum-velocity-ignored"

def sgd_momentum_step(w, dw, v, lr, momentum):
    v_new = -lr * dw
    return w + v_new, v_new
