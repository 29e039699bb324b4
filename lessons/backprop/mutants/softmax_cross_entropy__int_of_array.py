"""Takes int() of a one-element array, which NumPy 1 allowed and NumPy 2 rejects."""

import numpy as np

EXERCISE = "softmax_cross_entropy"
DIAGNOSIS = "numpy-2"


def softmax_cross_entropy(scores, y):
    n = int(np.array(scores.shape)[:1])
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_p)
    dscores[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].mean()), dscores / n
