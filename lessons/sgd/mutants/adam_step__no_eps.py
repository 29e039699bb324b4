"""Leaves eps out: 0 / 0 = nan where a gradient has always been 0."""

import numpy as np

EXERCISE = "adam_step"
DIAGNOSIS = "non-finite"

def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * dw
    v_new = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat), m_new, v_new
