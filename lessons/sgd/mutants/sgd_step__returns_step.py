"""Returns the step -lr * dw instead of the new weights."""


EXERCISE = "sgd_step"
DIAGNOSIS = "sgd-returned-step"

def sgd_step(w, dw, lr):
    return -lr * dw
