"""-mean log σ(s) with σ computed first: log(0) = -inf where D rejects a fake at -1000."""

import numpy as np

EXERCISE = "generator_loss"
DIAGNOSIS = "non-finite"


def generator_loss(logits_fake):
    d = _sigmoid(logits_fake)
    return float(-np.mean(np.log(d))), (d - 1.0) / len(logits_fake)
