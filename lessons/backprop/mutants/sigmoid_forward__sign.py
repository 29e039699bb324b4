"""Computes 1 / (1 + exp(x)), which is sigmoid(-x)."""

import numpy as np

EXERCISE = "sigmoid_forward"
DIAGNOSIS = "sigmoid-sign"

def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(x))
