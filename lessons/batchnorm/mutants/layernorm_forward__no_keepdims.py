"""Row statistics without keepdims: shape (N,) lines up with the columns."""

import numpy as np

EXERCISE = "layernorm_forward"
DIAGNOSIS = "ln-no-keepdims"


def layernorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=1)) / np.sqrt(x.var(axis=1) + eps)
    return gamma * x_hat + beta
