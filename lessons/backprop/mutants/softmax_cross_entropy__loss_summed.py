"""The loss sums over the batch instead of averaging."""

import numpy as np

EXERCISE = "softmax_cross_entropy"
DIAGNOSIS = "loss-summed"

def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_p)
    dscores[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].sum()), dscores / n
