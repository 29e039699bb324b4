"""The sigmoid written as exp(a) / (1 + exp(a)): inf / inf = nan for a > 709."""

import numpy as np

EXERCISE = "lstm_step_forward"
DIAGNOSIS = "non-finite"

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    s = np.exp(a) / (1.0 + np.exp(a))
    i, f, o, g = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c
