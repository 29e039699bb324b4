"""Adds the old velocity instead of subtracting it: w + momentum * v + (1 + momentum) * v_new."""


EXERCISE = "nesterov_step"
DIAGNOSIS = "nesterov-sign"

def nesterov_step(w, dw, v, lr, momentum):
    v_new = momentum * v - lr * dw
    return w + momentum * v + (1 + momentum) * v_new, v_new
