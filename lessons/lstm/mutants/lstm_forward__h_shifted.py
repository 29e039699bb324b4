"""Stores the state each step starts from (h0 .. h_(T-2)) instead of the one it ends with."""

import numpy as np

EXERCISE = "lstm_forward"
DIAGNOSIS = "h-shifted"

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        h[:, t] = prev_h
        prev_h, prev_c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
    return h
