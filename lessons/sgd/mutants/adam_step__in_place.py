"""Updates the moment estimates in place, as an optimizer class holding its state would."""

import numpy as np

EXERCISE = "adam_step"
DIAGNOSIS = "mutated-input"

def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw**2
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w - step, m.copy(), v.copy()
