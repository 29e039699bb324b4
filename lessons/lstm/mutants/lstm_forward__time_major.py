"""Stacks the states along axis 0: shape (T, N, H) instead of (N, T, H)."""

import numpy as np

EXERCISE = "lstm_forward"
DIAGNOSIS = "time-major"

def lstm_forward(x, h0, Wx, Wh, b):
    prev_h, prev_c = h0, np.zeros_like(h0)
    hs = []
    for t in range(x.shape[1]):
        prev_h, prev_c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        hs.append(prev_h)
    return np.stack(hs)
