"""Assigns each step's weight gradients instead of adding them up: the last one (t = 0) wins."""

import numpy as np

EXERCISE = "lstm_backward"
DIAGNOSIS = "weights-not-summed"

def lstm_backward(dh, x, h0, Wx, Wh, b):
    hs, cs = _states(x, h0, Wx, Wh, b)
    dx = np.zeros(x.shape)
    dprev_h, dprev_c = np.zeros(h0.shape), np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dprev_h, dprev_c, dWx, dWh, db = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, x[:, t], hs[t], cs[t], Wx, Wh, b)
    return dx, dprev_h, dWx, dWh, db
