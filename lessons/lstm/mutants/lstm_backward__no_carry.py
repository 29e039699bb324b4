"""Uses only dh[:, t] at each step: the dprev_h from step t + 1 is dropped."""

import numpy as np

EXERCISE = "lstm_backward"
DIAGNOSIS = "bptt-no-carry"

def lstm_backward(dh, x, h0, Wx, Wh, b):
    hs, cs = _states(x, h0, Wx, Wh, b)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dprev_c = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t], dprev_c, x[:, t], hs[t], cs[t], Wx, Wh, b)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
