"""Returns the grads under CS231n's keys W1, b1, W2, b2 instead of the contract's."""

import numpy as np

EXERCISE = "two_layer_net"
DIAGNOSIS = "wrong-return"


def two_layer_net(x, y, w1, b1, w2, b2):
    a1 = x @ w1 + b1
    h1 = np.maximum(a1, 0.0)
    loss, dscores = softmax_cross_entropy(h1 @ w2 + b2, y)
    da1 = np.where(a1 > 0, dscores @ w2.T, 0.0)
    return loss, {"W1": x.T @ da1, "b1": da1.sum(axis=0),
                  "W2": h1.T @ dscores, "b2": dscores.sum(axis=0)}
