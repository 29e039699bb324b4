"""Reads prev_h = h[:, t - 1] from the output array: at t = 0 that is h[:, -1], still zero."""

import numpy as np

EXERCISE = "lstm_forward"
DIAGNOSIS = "h0-ignored"

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_c = np.zeros_like(h0)
    for t in range(T):
        h[:, t], prev_c = lstm_step_forward(x[:, t], h[:, t - 1], prev_c, Wx, Wh, b)
    return h
