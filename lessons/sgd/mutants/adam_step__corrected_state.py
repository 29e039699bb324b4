"""Returns the bias-corrected m_hat and v_hat as the new state."""

import numpy as np

EXERCISE = "adam_step"
DIAGNOSIS = "adam-corrected-state"

def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = (beta1 * m + (1 - beta1) * dw) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * dw**2) / (1 - beta2**t)
    return w - lr * m / (np.sqrt(v) + eps), m, v
