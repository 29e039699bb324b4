"""Takes tanh's derivative as 1 - c², from the cell instead of from tanh(c)."""

import numpy as np

EXERCISE = "lstm_step_backward"
DIAGNOSIS = "tanh-grad-of-c"

def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    i, f, o, g = _gates(x, prev_h, Wx, Wh, b)
    next_c = f * prev_c + i * g
    dc = dnext_c + dnext_h * o * (1 - next_c**2)
    da = np.hstack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                    dnext_h * np.tanh(next_c) * o * (1 - o), dc * i * (1 - g**2)])
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)
