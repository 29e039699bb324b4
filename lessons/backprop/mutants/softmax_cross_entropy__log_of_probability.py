"""Shifts the scores, then takes the log of the probability itself: a label's probability
that underflows to 0 gives log(0) = -inf."""

import numpy as np

EXERCISE = "softmax_cross_entropy"
DIAGNOSIS = "non-finite"


def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores / n
