"""Steps uphill: w + lr * dw."""


EXERCISE = "sgd_step"
DIAGNOSIS = "sign-flipped"

def sgd_step(w, dw, lr):
    return w + lr * dw
