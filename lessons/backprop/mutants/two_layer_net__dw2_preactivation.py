"""dw2 uses the ReLU's input a1 instead of its output h1."""

import numpy as np

EXERCISE = "two_layer_net"
DIAGNOSIS = "tln-dw2-preactivation"

def two_layer_net(x, y, w1, b1, w2, b2):
    a1 = x @ w1 + b1
    h1 = np.maximum(a1, 0.0)
    loss, dscores = softmax_cross_entropy(h1 @ w2 + b2, y)
    da1 = np.where(a1 > 0, dscores @ w2.T, 0.0)
    return loss, {"w1": x.T @ da1, "b1": da1.sum(axis=0),
                  "w2": a1.T @ dscores, "b2": dscores.sum(axis=0)}
