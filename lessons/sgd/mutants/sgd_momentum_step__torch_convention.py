"""PyTorch's convention: v_new = momentum * v + dw, w_new = w - lr * v_new."""


EXERCISE = "sgd_momentum_step"
DIAGNOSIS = "momentum-other-convention"

def sgd_momentum_step(w, dw, v, lr, momentum):
    v_new = momentum * v + dw
    return w - lr * v_new, v_new
