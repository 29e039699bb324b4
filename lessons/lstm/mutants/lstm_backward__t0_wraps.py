"""Takes step t's starting state as h[:, t - 1] of the forward's output: at t = 0 that is
h[:, -1], the last state, instead of h0."""

import numpy as np

EXERCISE = "lstm_backward"
DIAGNOSIS = "t0-prev-state"

def lstm_backward(dh, x, h0, Wx, Wh, b):
    h = lstm_forward(x, h0, Wx, Wh, b)
    _, cs = _states(x, h0, Wx, Wh, b)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dprev_h, dprev_c = np.zeros(h0.shape), np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, x[:, t], h[:, t - 1], cs[t], Wx, Wh, b)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
