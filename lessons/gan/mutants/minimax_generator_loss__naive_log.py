"""mean log(1 - σ(s)) as written: log(0) = -inf where D is fooled at s = 1000."""

import numpy as np

EXERCISE = "minimax_generator_loss"
DIAGNOSIS = "non-finite"


def minimax_generator_loss(logits_fake):
    d = _sigmoid(logits_fake)
    return float(np.mean(np.log(1.0 - d))), -d / len(logits_fake)
