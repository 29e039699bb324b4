"""Stacks the pre-activation gradients as [i, f, g, o] instead of [i, f, o, g]."""

import numpy as np

EXERCISE = "lstm_step_backward"
DIAGNOSIS = "gate-order"

def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    i, f, o, g = _gates(x, prev_h, Wx, Wh, b)
    tanh_c = np.tanh(f * prev_c + i * g)
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    da = np.hstack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                    dc * i * (1 - g**2), dnext_h * tanh_c * o * (1 - o)])
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)
