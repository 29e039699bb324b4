"""Scales by beta and shifts by gamma."""

import numpy as np

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "gamma-beta-swapped"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return beta * x_hat + gamma
