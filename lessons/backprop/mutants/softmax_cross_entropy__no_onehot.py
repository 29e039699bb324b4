"""dscores is p / N: the 1 at the correct class is never subtracted."""

import numpy as np

EXERCISE = "softmax_cross_entropy"
DIAGNOSIS = "dscores-no-onehot"

def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(n), y].mean()), np.exp(log_p) / n
