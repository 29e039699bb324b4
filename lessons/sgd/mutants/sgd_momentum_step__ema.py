"""The velocity as a moving average of gradients: v = m v + (1 - m) dw, w -= lr v."""


EXERCISE = "sgd_momentum_step"
DIAGNOSIS = "momentum-ema"

def sgd_momentum_step(w, dw, v, lr, momentum):
    v_new = momentum * v + (1 - momentum) * dw
    return w - lr * v_new, v_new
