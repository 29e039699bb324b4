"""The 'efficient' form: the bias correction folded into the learning rate, so eps is added
to sqrt(v) before the correction instead of to sqrt(v_hat)."""

import numpy as np

EXERCISE = "adam_step"
DIAGNOSIS = "adam-eps-hat"

def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * dw
    v_new = beta2 * v + (1 - beta2) * dw**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - lr_t * m_new / (np.sqrt(v_new) + eps), m_new, v_new
