"""Reference solutions for the sgd lesson, in plain NumPy.

Each function is one update of an optimizer: it takes the weights w, their gradient dw and
the optimizer's state, and returns new arrays. Nothing is modified in place.
"""

import numpy as np


def sgd_step(w, dw, lr):
    """w_new = w - lr * dw."""
    return w - lr * dw


def sgd_momentum_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w + v_new."""
    v_new = momentum * v - lr * dw
    return w + v_new, v_new


def nesterov_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w - momentum * v + (1 + momentum) * v_new."""
    v_new = momentum * v - lr * dw
    return w - momentum * v + (1.0 + momentum) * v_new, v_new


def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """m_new = beta1 m + (1 - beta1) dw; v_new = beta2 v + (1 - beta2) dw²;
    w_new = w - lr * m_hat / (sqrt(v_hat) + eps), m_hat = m_new / (1 - beta1^t),
    v_hat = v_new / (1 - beta2^t). Returns the raw m_new and v_new."""
    m_new = beta1 * m + (1.0 - beta1) * dw
    v_new = beta2 * v + (1.0 - beta2) * dw * dw
    m_hat = m_new / (1.0 - beta1**t)  # t is 1-based: the first update has t = 1
    v_hat = v_new / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
