"""Reference solutions for the LSTM lesson, in plain NumPy.

The 4H pre-activations are laid out as [i | f | o | g]: input gate, forget gate, output
gate, candidate. The grader compares a learner's file against these, and `tutor solution`
shows them once passed.
"""

import numpy as np


def sigmoid(x):
    """σ(x) = 1 / (1 + exp(-x)), written so that exp never overflows."""
    z = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _gates(x, prev_h, Wx, Wh, b):
    """a = x Wx + prev_h Wh + b, split into i, f, o = σ(a_i, a_f, a_o) and g = tanh(a_g)."""
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    return i, f, o, np.tanh(a[:, 3 * H:])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """next_c = f ⊙ prev_c + i ⊙ g;  next_h = o ⊙ tanh(next_c)."""
    i, f, o, g = _gates(x, prev_h, Wx, Wh, b)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c


def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    """dc = dnext_c + dnext_h ⊙ o ⊙ (1 - tanh²(next_c)); dprev_c = dc ⊙ f; through the gates
    to da = [di·i(1-i) | df·f(1-f) | do·o(1-o) | dg·(1-g²)], then da into x, prev_h, Wx, Wh, b."""
    i, f, o, g = _gates(x, prev_h, Wx, Wh, b)
    tanh_c = np.tanh(f * prev_c + i * g)
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c**2)
    di, df, do, dg = dc * g, dc * prev_c, dnext_h * tanh_c, dc * i
    da = np.hstack([di * i * (1.0 - i), df * f * (1.0 - f), do * o * (1.0 - o),
                    dg * (1.0 - g**2)])
    dprev_c = dc * f
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _states(x, h0, Wx, Wh, b):
    """Every state of the forward pass: hs[t] = h_(t-1) and cs[t] = c_(t-1), from h0, c0 = 0."""
    hs, cs = [h0], [np.zeros(h0.shape)]
    for t in range(x.shape[1]):
        h, c = lstm_step_forward(x[:, t], hs[-1], cs[-1], Wx, Wh, b)
        hs.append(h)
        cs.append(c)
    return hs, cs


def lstm_forward(x, h0, Wx, Wh, b):
    """h[:, t] = h_t, where (h_t, c_t) = lstm_step(x[:, t], h_(t-1), c_(t-1)), c_(-1) = 0."""
    hs, _ = _states(x, h0, Wx, Wh, b)
    return np.stack(hs[1:], axis=1)


def lstm_backward(dh, x, h0, Wx, Wh, b):
    """Backprop through time: at step t the gradient on h_t is dh[:, t] plus what step t + 1
    sent back, the cell's gradient arrives only from step t + 1, and the weights' gradients
    add up over the steps."""
    hs, cs = _states(x, h0, Wx, Wh, b)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dprev_h, dprev_c = np.zeros(h0.shape), np.zeros(h0.shape)  # nothing flows in after T
    for t in reversed(range(x.shape[1])):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, x[:, t], hs[t], cs[t], Wx, Wh, b)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
