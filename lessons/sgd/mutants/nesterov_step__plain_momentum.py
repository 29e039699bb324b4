"""Takes the plain momentum step w + v_new."""


EXERCISE = "nesterov_step"
DIAGNOSIS = "nesterov-plain-momentum"

def nesterov_step(w, dw, v, lr, momentum):
    v_new = momentum * v - lr * dw
    return w + v_new, v_new
