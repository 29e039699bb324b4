"""Generators for the backprop lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
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
    wrong = {"g unchanged (the multiply gate passed on like an add gate)": g,
             "z alone (the upstream gradient left out)": z,
             "(x + y) · g (the gradient of z, not of x)": q * g}
    return {"x": _num(x), "y": _num(y), "z": _num(z), "g": _num(g),
            "zg": f"{_factor(_num(z))} · {_factor(_num(g))}",
            "result": f"{answer:.2f}"}, answer, wrong


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
    wrong = {"σ(x) · g (the sigmoid, not its slope)": s * g,
             "x (1 − x) · g (the slope's formula applied to x, not to σ(x))": x * (1 - x) * g,
             "σ(x) (1 − σ(x)) without the upstream gradient": local,
             "(1 − σ(x)²) · g (tanh's slope)": (1 - s * s) * g}
    return {"x": _num(x), "g": _num(g), "s": f"{s:.4f}",
            "local": f"{local:.4f}", "result": f"{answer:.3f}"}, answer, wrong


def affine_dw(rng):
    """One entry of dW = x^T @ dout for a (2, 3) x and a (2, 2) dout.

    N = 2, D = 3 and M = 2 all differ where they can: with N = D, x @ dout (x not
    transposed) would also multiply, and give the right number in about one draw in five."""
    n, d, m = 2, 3, 2
    w = np.zeros((d, m))  # dW does not depend on W or b; they only fix the shapes
    b = np.zeros(m)
    while True:
        x = _nonzero_ints(rng, -3, 3, (n, d)).astype(np.float64)
        dout = _nonzero_ints(rng, -9, 9, (n, m)) / 10
        i = int(rng.integers(0, d))
        j = int(rng.integers(0, m))
        _, dw, _ = affine_backward(dout, x, w, b)
        answer = float(dw[i, j])
        if abs(answer) >= SMALLEST:
            break
    wrong = {"the mean over the batch instead of the sum": answer / n,
             "example 0's term alone": float(x[0, i] * dout[0, j])}
    if i < n:  # x's row i read as if it were column i (x @ dout, untransposed)
        wrong["Σ_n x[i, n] · dout[n, j], x not transposed"] = float(x[i, :n] @ dout[:, j])
    if i < m:  # dW[j, i] exists: (doutᵀ x)[i, j], the transpose
        wrong["dW[j, i], the transposed entry"] = float(dw[j, i])
    terms = " + ".join(f"{_factor(_int(x[k, i]))} · {_factor(_num(dout[k, j]))}"
                       for k in range(n))
    return {"x": _array(x, _int), "dout": _array(dout), "i": i, "j": j,
            "terms": terms, "result": f"{answer:.2f}"}, answer, wrong


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
    wrong = {"log base 10": float(-np.log10(p[y])),
             "−s_y, the score without the softmax's normalization": float(-scores[0, y]),
             "1 − p_y": float(1 - p[y])}
    return {"scores": _array(scores[0]), "y": y,
            "p": "[" + ", ".join(f"{v:.4f}" for v in p) + "]",
            "py": f"{p[y]:.4f}", "result": f"{loss:.3f}"}, float(loss), wrong


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
    onehot = float(j == y[0])
    wrong = {"p − onehot without the division by N": float(p[j] - onehot)}
    if onehot:
        wrong["p / N, the label's 1 not subtracted"] = float(p[j] / 2)
    else:
        wrong["(p − 1) / N, 1 subtracted in a column that is not the label's"] = \
            float((p[j] - 1) / 2)
    return {"scores": _array(scores), "y0": int(y[0]), "y1": int(y[1]), "j": j,
            "p0": "[" + ", ".join(f"{v:.4f}" for v in p) + "]",
            "onehot": "1" if j == y[0] else "0",
            "result": f"{answer:.3f}"}, answer, wrong
