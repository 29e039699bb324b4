"""Starts the cell state from h0 instead of zeros."""

import numpy as np

EXERCISE = "lstm_forward"
DIAGNOSIS = "c0-not-zero"

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h, prev_c = h0, h0.copy()
    for t in range(T):
        prev_h, prev_c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
    return h
