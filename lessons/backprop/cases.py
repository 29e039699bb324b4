"""Graded inputs for the backprop exercises, chosen to catch real bugs.

Non-square shapes expose transposes, N = 1 exposes broadcasting slips, exact zeros test
the ReLU convention, and magnitudes near 1e3 expose overflow in exp.
"""

import numpy as np

from tutor import Case


def _affine_inputs(rng):
    """(label, x, w, b): square, non-square, N = 1 and large magnitudes."""
    shapes = [("N=4, D=4, M=4 (square)", 4, 4, 4), ("N=3, D=5, M=2", 3, 5, 2),
              ("N=1, D=6, M=3", 1, 6, 3), ("N=7, D=2, M=9", 7, 2, 9)]
    for label, n, d, m in shapes:
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
        yield label, x, w, b
    yield ("large magnitudes", 1e3 * rng.standard_normal((5, 3)), rng.standard_normal((3, 4)),
           1e3 * rng.standard_normal(4))


def affine_forward(rng):
    return [Case(label, (x, w, b)) for label, x, w, b in _affine_inputs(rng)]


def affine_backward(rng):
    return [Case(label, (rng.standard_normal((x.shape[0], w.shape[1])), x, w, b))
            for label, x, w, b in _affine_inputs(rng)]


def _with_zeros(rng, shape, scale=1.0):
    """Normal values, some exactly 0 (the ReLU kink), at the given scale."""
    x = scale * rng.standard_normal(shape)
    x.flat[:: 3] = 0.0
    return x


def _activation_inputs(rng):
    yield "N=4, D=5, with exact zeros", _with_zeros(rng, (4, 5))
    yield "1-D input", _with_zeros(rng, (7,))
    yield "3-D input", rng.standard_normal((2, 3, 4))
    yield "N=1", rng.standard_normal((1, 6))
    yield "large magnitudes (|x| up to 1e3)", np.linspace(-1000.0, 1000.0, 24).reshape(4, 6)


def relu_forward(rng):
    return [Case(label, (x,)) for label, x in _activation_inputs(rng)]


def relu_backward(rng):
    return [Case(label, (rng.standard_normal(x.shape), x)) for label, x in _activation_inputs(rng)]


def sigmoid_forward(rng):
    return relu_forward(rng)


def sigmoid_backward(rng):
    return relu_backward(rng)


def _scores(rng):
    yield "N=5, C=3", rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    yield "N=1, C=4", rng.standard_normal((1, 4)), rng.integers(0, 4, 1)
    yield "N=6, C=10", 3 * rng.standard_normal((6, 10)), rng.integers(0, 10, 6)
    yield "large scores (up to 1e3)", 1e3 * rng.standard_normal((4, 5)), rng.integers(0, 5, 4)
    scores = rng.standard_normal((3, 4))
    scores[np.arange(3), [0, 1, 2]] += 800.0  # confident and right: the loss is nearly 0
    yield "confident scores, loss near 0", scores, np.array([0, 1, 2])


def softmax_cross_entropy(rng):
    return [Case(label, (s, y.astype(np.int64))) for label, s, y in _scores(rng)]


def two_layer_net(rng):
    """The shapes, and the edge cases of the net's parts: scores near ±1e3 (the softmax's:
    overflow, a shift by the batch's maximum, a label's probability that underflows to 0),
    pre-activations exactly 0 (the ReLU's kink) and a confident, nearly-zero loss."""
    cases = []
    for label, n, d, h, c in [("N=5, D=4, H=6, C=3", 5, 4, 6, 3),
                              ("N=1, D=3, H=5, C=2", 1, 3, 5, 2),
                              ("N=8, D=6, H=3, C=4", 8, 6, 3, 4)]:
        x = rng.standard_normal((n, d))
        y = rng.integers(0, c, n).astype(np.int64)
        w1, b1 = rng.standard_normal((d, h)), 0.1 * rng.standard_normal(h)
        w2, b2 = rng.standard_normal((h, c)), 0.1 * rng.standard_normal(c)
        cases.append(Case(label, (x, y, w1, b1, w2, b2)))
    cases.append(Case("large scores: each row's near its own offset, -900 to +1000",
                      _large_scores_net(rng)))
    x, y, w1, b1, w2, b2 = cases[2].args
    cases.append(Case("large scores (up to 1e3): labels far below their row's maximum",
                      (x, y, w1, b1, 300.0 * w2, b2)))
    x, y, w1, b1, w2, b2 = cases[0].args
    x, b1 = x.copy(), b1.copy()
    x[1], b1[::2] = 0.0, 0.0  # example 1 reaches the ReLU at exactly 0 in every other unit
    cases.append(Case("pre-activations exactly 0 (the ReLU's kink)", (x, y, w1, b1, w2, b2)))
    w2 = w2.copy()
    y = np.argmax(np.maximum(x @ w1 + b1, 0) @ w2, axis=1)
    w2 *= 60.0  # confident and right: the loss is nearly 0
    cases.append(Case("confident scores, loss near 0", (x, y.astype(np.int64), w1, b1, w2, b2)))
    return cases


def _large_scores_net(rng):
    """(x, y, w1, b1, w2, b2) whose scores are about -900, -300, 400 and 1000 in its four
    rows, plus differences of order 1 between classes: exp overflows without a shift, and
    a shift by the largest score of the whole batch (not of each row) underflows the rows
    far below it to 0/0. The softmax itself stays well-conditioned, so the gradients mean
    something."""
    n, d, h, c = 4, 3, 5, 3
    x = rng.standard_normal((n, d))
    w1, b1 = rng.standard_normal((d, h)), np.full(h, 2.0)  # every hidden unit active
    hidden = np.maximum(x @ w1 + b1, 0.0)
    offset = np.linalg.lstsq(hidden, np.array([-900.0, -300.0, 400.0, 1000.0]), rcond=None)[0]
    w2 = offset[:, None] + 0.5 * rng.standard_normal((h, c))  # same offset for every class
    y = rng.integers(0, c, n).astype(np.int64)
    return x, y, w1, b1, w2, 0.1 * rng.standard_normal(c)


# The heavy functions `benchmarks/kernels.py` times: (quick sizes, the CUDA simulator's;
# realistic ones); `tutor race` takes the first of each.
BENCHMARKS = {
    "affine_forward": ([16, 40], [256, 1024]),  # N = D = M
    "affine_backward": ([16, 40], [256, 1024]),
    "relu_forward": ([16, 40], [1024, 4096]),  # an N x N array
    "softmax_cross_entropy": ([16, 128], [1024, 16384]),  # N rows of 10 classes
}


def race_inputs(name, rng, size=256):
    """Bigger inputs for `tutor race`: ``size`` is the batch size N and the layer widths."""
    n = size
    x, w, b = rng.standard_normal((n, n)), rng.standard_normal((n, n)), rng.standard_normal(n)
    if name == "affine_forward":
        return x, w, b
    if name == "affine_backward":
        return rng.standard_normal((n, n)), x, w, b
    if name in ("relu_forward", "sigmoid_forward"):
        return (x,)
    if name in ("relu_backward", "sigmoid_backward"):
        return rng.standard_normal((n, n)), x
    y = rng.integers(0, 10, n).astype(np.int64)
    if name == "softmax_cross_entropy":
        return 10 * rng.standard_normal((n, 10)), y
    return x, y, 0.1 * w, b, 0.1 * rng.standard_normal((n, 10)), np.zeros(10)
