"""Updates the velocity and the weights in place."""


EXERCISE = "sgd_momentum_step"
DIAGNOSIS = "mutated-input"

def sgd_momentum_step(w, dw, v, lr, momentum):
    v *= momentum
    v -= lr * dw
    w += v
    return w, v
