"""v_prev = v is a second name for the same array, not a copy: updating v in place also
changes v_prev (and the caller's v), and the step collapses to plain momentum."""


EXERCISE = "nesterov_step"
DIAGNOSIS = "mutated-input"

def nesterov_step(w, dw, v, lr, momentum):
    v_prev = v
    v *= momentum
    v -= lr * dw
    return w - momentum * v_prev + (1 + momentum) * v, v.copy()
