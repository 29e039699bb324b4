"""Takes the statistics over the batch (axis 0), as batch normalization does."""

import numpy as np

EXERCISE = "layernorm_forward"
DIAGNOSIS = "ln-wrong-axis"


def layernorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * x_hat + beta
