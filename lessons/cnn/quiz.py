"""Generators for the cnn lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
"""

from functools import cache

import numpy as np

from .reference import conv_backward, conv_forward, max_pool_backward

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _num(v):
    """One-decimal display of a generated value ('-1.5', '0.3', '2.0')."""
    return f"{v:.1f}"


def _int(v):
    return str(int(v))


def _grid(a, fmt=_int):
    """A 2-D array as rows on their own lines, for a code-like display."""
    width = max(len(fmt(v)) for v in np.ravel(a))
    return "\n".join("  [" + ", ".join(fmt(v).rjust(width) for v in row) + "]" for row in a)


def _factor(text):
    """A number as a factor in a product: negatives in parentheses."""
    return f"({text})" if text.startswith("-") else text


def output_size(rng):
    """Output height of a conv layer, 1 + (H + 2 pad - HH) // stride, with a floor.

    Padding and a stride that leaves rows over make each off-by-one (no 1, padding once,
    rounding up) give a different number."""
    while True:
        h = int(rng.integers(5, 33))
        hh = int(rng.choice([1, 3, 5, 7]))
        pad = int(rng.integers(1, hh // 2 + 2))
        stride = int(rng.choice([2, 3]))
        if h + 2 * pad >= hh and (h + 2 * pad - hh) % stride:
            break
    x, w = np.zeros((1, 1, h, 1)), np.zeros((1, 1, hh, 1))
    answer = conv_forward(x, w, np.zeros(1), stride, pad).shape[2]
    wrong = {"(H + 2·pad − HH) // stride, without the 1": (h + 2 * pad - hh) // stride,
             "1 + (H + pad − HH) // stride, padding counted once": 1 + (h + pad - hh) // stride,
             "1 + ceil((H + 2·pad − HH) / stride), rounded up":
                 1 + -(-(h + 2 * pad - hh) // stride)}
    return {"h": h, "hh": hh, "pad": pad, "stride": stride,
            "inner": h + 2 * pad - hh, "steps": (h + 2 * pad - hh) // stride,
            "result": answer}, float(answer), wrong


def conv_entry(rng):
    """One output of a single-channel convolution, a sum of products over one window."""
    while True:
        x = rng.integers(-3, 4, size=(4, 5)).astype(np.float64)
        w = rng.integers(-2, 3, size=(2, 2)).astype(np.float64)
        stride = int(rng.integers(1, 3))
        b = float(rng.choice([-2, -1, 1, 2]))
        out = conv_forward(x[None, None], w[None, None], np.array([b]), stride)[0, 0]
        i, j = int(rng.integers(0, out.shape[0])), int(rng.integers(0, out.shape[1]))
        answer = float(out[i, j])
        if abs(answer) >= SMALLEST and np.count_nonzero(w) >= 3:
            break
    r, c = i * stride, j * stride
    terms = " + ".join(f"{_factor(_int(x[r + p, c + q]))}·{_factor(_int(w[p, q]))}"
                       for p in range(2) for q in range(2))
    window = x[r:r + 2, c:c + 2]
    wrong = {"the filter flipped (a true convolution)": float((window * w[::-1, ::-1]).sum() + b),
             "the bias left out": answer - b}
    if stride > 1:
        wrong["the window at (i, j), the stride ignored"] = float(
            (x[i:i + 2, j:j + 2] * w).sum() + b)
    return {"x": _grid(x), "w": _grid(w), "b": _int(b), "bterm": _factor(_int(b)),
            "stride": stride, "i": i, "j": j,
            "r": r, "c": c, "terms": terms, "result": _int(answer)}, answer, wrong


def dw_entry(rng):
    """One entry of dw: the correlation of the input with the upstream gradient."""
    while True:
        x = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
        dout = rng.integers(-9, 10, size=(2, 2)) / 10
        p, q = int(rng.integers(0, 2)), int(rng.integers(0, 2))
        _, dw, _ = conv_backward(dout[None, None], x[None, None], np.zeros((1, 1, 2, 2)),
                                 np.zeros(1))
        answer = float(dw[0, 0, p, q])
        if abs(answer) >= SMALLEST:
            break
    terms = " + ".join(f"{_factor(_int(x[i + p, j + q]))}·{_factor(_num(dout[i, j]))}"
                       for i in range(2) for j in range(2))
    wrong = {"dout rotated by 180° (a convolution, not a correlation)":
                 float((x[p:p + 2, q:q + 2] * dout[::-1, ::-1]).sum()),
             "the mean over the four positions instead of the sum": answer / 4,
             "dout[p, q] · x[p, q], one use of the weight only":
                 float(dout[p, q] * x[p, q])}
    return {"x": _grid(x), "dout": _grid(dout, _num), "p": p, "q": q, "terms": terms,
            "result": f"{answer:.2f}"}, answer, wrong


def pool_routing(rng):
    """dx at one input of overlapping 2x2, stride-1 max pooling: the sum over the windows
    whose maximum it is."""
    while True:
        x = rng.permutation(16).reshape(4, 4).astype(np.float64) + 1  # 1..16, no ties
        dout = rng.integers(-9, 10, size=(3, 3)) / 10
        dx = max_pool_backward(dout[None, None], x[None, None], 2, 2, 1)[0, 0]
        wins = [(i, j) for i in range(3) for j in range(3)]
        counts = np.zeros((4, 4), dtype=int)  # how many windows each input is the max of
        for i, j in wins:
            k = np.argmax(x[i:i + 2, j:j + 2])
            counts[i + k // 2, j + k % 2] += 1
        choices = np.argwhere((counts >= 2) & (np.abs(dx) >= SMALLEST))
        if len(choices):
            r, c = (int(v) for v in choices[rng.integers(0, len(choices))])
            break
    mine = [(i, j) for i, j in wins
            if r - 1 <= i <= r and c - 1 <= j <= c and x[i:i + 2, j:j + 2].max() == x[r, c]]
    terms = " + ".join(_factor(_num(dout[i, j])) for i, j in mine)
    windows = ", ".join(f"({i}, {j})" for i, j in mine)
    wrong = {"the last window's gradient only (= instead of +=)": float(dout[mine[-1]]),
             "the first window's gradient only": float(dout[mine[0]])}
    return {"x": _grid(x), "dout": _grid(dout, _num), "r": r, "c": c, "value": _int(x[r, c]),
            "count": len(mine), "windows": windows, "terms": terms,
            "result": f"{float(dx[r, c]):.1f}"}, float(dx[r, c]), wrong


def receptive_field(rng):
    """Receptive field of L stacked k x k, stride-1 convolutions: 1 + L (k - 1)."""
    layers = int(rng.integers(2, 6))
    k = int(rng.choice([3, 5]))
    answer = _receptive_field(layers, k)
    wrong = {"L · k, the layers' widths added": layers * k,
             "k^L, the widths multiplied": k ** layers,
             "L · (k − 1), without the 1": layers * (k - 1)}
    return {"layers": layers, "k": k, "km1": k - 1, "result": answer}, float(answer), wrong


@cache
def _receptive_field(layers, k):
    """Push one pixel through the stack with all-ones filters and "full" padding: the pixels
    it reaches are the outputs that see it, as many as one output sees inputs."""
    x = np.ones((1, 1, 1, 1))
    for _ in range(layers):
        x = conv_forward(x, np.ones((1, 1, k, k)), np.zeros(1), 1, k - 1)
    return int(np.count_nonzero(x[0, 0, 0]))
