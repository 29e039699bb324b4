"""Updates w in place with -= and returns it."""


EXERCISE = "sgd_step"
DIAGNOSIS = "mutated-input"

def sgd_step(w, dw, lr):
    w -= lr * dw
    return w
