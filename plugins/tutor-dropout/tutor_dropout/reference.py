"""Reference solutions for the dropout lesson, in plain NumPy.

Inverted dropout with the mask passed in, so that grading is deterministic: ``mask`` holds
1.0 for a kept unit and 0.0 for a dropped one, and ``p`` is the probability of DROPPING a
unit. Kept units are scaled by 1 / (1 - p) at training time, so the expected output equals
the input and inference uses the layer unchanged.
"""


def dropout_forward(x, mask, p):
    """out = x * mask / (1 - p), elementwise; any shape."""
    return x * mask / (1.0 - p)


def dropout_backward(dout, x, mask, p):
    """dx = dout * mask / (1 - p): the same mask and the same scale as the forward pass."""
    return dout * mask / (1.0 - p)

