"""The output gate scales the cell itself, without the tanh."""

EXERCISE = "lstm_step_forward"
DIAGNOSIS = "h-without-tanh"

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    i, f, o, g = _gates(x, prev_h, Wx, Wh, b)
    next_c = f * prev_c + i * g
    return o * next_c, next_c
