"""Starts every step from a zero cell: only h is carried through time."""

import numpy as np

EXERCISE = "lstm_forward"
DIAGNOSIS = "cell-not-carried"

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h = h0
    for t in range(T):
        prev_h, _ = lstm_step_forward(x[:, t], prev_h, np.zeros_like(h0), Wx, Wh, b)
        h[:, t] = prev_h
    return h
