"""Keeps only the look-ahead part of w + momentum * v_new - lr * dw."""


EXERCISE = "nesterov_step"
DIAGNOSIS = "nesterov-no-gradient-step"

def nesterov_step(w, dw, v, lr, momentum):
    v_new = momentum * v - lr * dw
    return w + momentum * v_new, v_new
