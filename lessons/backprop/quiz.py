"""Generators for the backprop lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}`` and the answer, computed by the reference code.
"""

import numpy as np

from .reference import (
    affine_backward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_cross_entropy,
)

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _tenths(rng, low, high, nonzero=True):
    """A number k / 10 with low <= k / 10 <= high (optionally not 0)."""
    while True:
        k = int(rng.integers(round(low * 10), round(high * 10) + 1))
        if k != 0 or not nonzero:
            return k / 10


def _num(v):
    """One-decimal display of a generated value ('-1.5', '0.3', '2.0')."""
    return f"{v:.1f}"


def _factor(text):
    """A number as a factor in a product: negatives in parentheses, '2 · (-0.5)'."""
    return f"({text})" if text.startswith("-") else text


def _array(a, fmt=_num):
    """A short array string: [[1.0, -2.0], [0.5, 3.0]]."""
    a = np.asarray(a)
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in a) + "]"
    return "[" + ", ".join(_array(row, fmt) for row in a) + "]"


def _int(v):
    return str(int(v))


def _nonzero_ints(rng, low, high, size):
    """Integers in [low, high] without 0."""
    values = rng.integers(low, high, size=size)  # in [low, high - 1]
    return np.where(values >= 0, values + 1, values)


def mul_gate(rng):
    """f = (x + y) * z with upstream gradient g on f: dL/dx = z * g."""
    while True:
        x, y, z, g = (_tenths(rng, -3, 3) for _ in range(4))
        q = x + y
        # The multiply node q * z is a 1x1 affine layer with input q and weight z; the add
        # gate passes dL/dq unchanged to x, so dL/dx is the affine layer's dx.
        dx, _, _ = affine_backward(np.array([[g]]), np.array([[q]]), np.array([[z]]),
                                   np.zeros(1))
        answer = float(dx[0, 0])
        if abs(answer) >= SMALLEST:
            break
    return {"x": _num(x), "y": _num(y), "z": _num(z), "g": _num(g),
            "zg": f"{_factor(_num(z))} · {_factor(_num(g))}",
            "result": f"{answer:.2f}"}, answer


def sigmoid_grad(rng):
    """dL/dx of the sigmoid at x with upstream gradient g."""
    while True:
        x = _tenths(rng, -3, 3, nonzero=False)
        g = _tenths(rng, -2, 2)
        answer = float(sigmoid_backward(np.array(g), np.array(x)))
        if abs(answer) >= SMALLEST:
            break
    s = float(sigmoid_forward(np.array(x)))
    local = float(sigmoid_backward(np.array(1.0), np.array(x)))
    return {"x": _num(x), "g": _num(g), "s": f"{s:.4f}",
            "local": f"{local:.4f}", "result": f"{answer:.3f}"}, answer


def affine_dw(rng):
    """One entry of dW = x^T @ dout for a (2, 2) x and a (2, 3) dout."""
    w = np.zeros((2, 3))  # dW does not depend on W or b; they only fix the shapes
    b = np.zeros(3)
    while True:
        x = _nonzero_ints(rng, -3, 3, (2, 2)).astype(np.float64)
        dout = _nonzero_ints(rng, -9, 9, (2, 3)) / 10
        i = int(rng.integers(0, 2))
        j = int(rng.integers(0, 3))
        _, dw, _ = affine_backward(dout, x, w, b)
        answer = float(dw[i, j])
        if abs(answer) >= SMALLEST:
            break
    terms = " + ".join(f"{_factor(_int(x[n, i]))} · {_factor(_num(dout[n, j]))}"
                       for n in range(2))
    return {"x": _array(x, _int), "dout": _array(dout), "i": i, "j": j,
            "terms": terms, "result": f"{answer:.2f}"}, answer


def softmax_loss(rng):
    """Softmax cross-entropy loss of one example with 3 scores."""
    while True:
        scores = np.array([[_tenths(rng, -2, 3, nonzero=False) for _ in range(3)]])
        y = int(rng.integers(0, 3))
        loss, dscores = softmax_cross_entropy(scores, np.array([y], dtype=np.int64))
        if abs(loss) >= SMALLEST:
            break
    p = dscores[0].copy()  # with N = 1, dscores = p - onehot(y)
    p[y] += 1.0
    return {"scores": _array(scores[0]), "y": y,
            "p": "[" + ", ".join(f"{v:.4f}" for v in p) + "]",
            "py": f"{p[y]:.4f}", "result": f"{loss:.3f}"}, float(loss)


def dscores_entry(rng):
    """One entry of dscores = (p - onehot(y)) / N for a batch of N = 2 and C = 3."""
    while True:
        scores = np.array([[_tenths(rng, -2, 2, nonzero=False) for _ in range(3)]
                           for _ in range(2)])
        y = rng.integers(0, 3, size=2).astype(np.int64)
        j = int(rng.integers(0, 3))
        _, dscores = softmax_cross_entropy(scores, y)
        answer = float(dscores[0, j])
        if abs(answer) >= SMALLEST:
            break
    p = dscores[0] * 2  # dscores = (p - onehot(y)) / N with N = 2
    p[y[0]] += 1.0
    return {"scores": _array(scores), "y0": int(y[0]), "y1": int(y[1]), "j": j,
            "p0": "[" + ", ".join(f"{v:.4f}" for v in p) + "]",
            "onehot": "1" if j == y[0] else "0",
            "result": f"{answer:.3f}"}, answer
