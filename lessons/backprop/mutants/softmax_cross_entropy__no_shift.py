"""No max subtraction: exp overflows for large scores."""

import numpy as np

EXERCISE = "softmax_cross_entropy"
DIAGNOSIS = "non-finite"

def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores / n
