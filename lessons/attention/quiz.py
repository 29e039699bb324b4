"""Generators for the attention lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected: with
nearly uniform scores, a missing scale or transpose changes almost nothing).
"""

import numpy as np

from .reference import attention_backward, attention_forward

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _ints(rng, low, high, size):
    """Integers in [low, high], as float64."""
    return rng.integers(low, high + 1, size=size).astype(np.float64)


def _tenths(rng, low, high, size):
    """Numbers k / 10 in [low, high]."""
    return rng.integers(round(low * 10), round(high * 10) + 1, size=size) / 10


def _vec(a, fmt="{:.0f}"):
    return "[" + ", ".join(fmt.format(v) for v in np.ravel(a)) + "]"


def _factor(x):
    """A number as a factor in a product: negatives in parentheses, '0.5 · (-1.2)'."""
    return f"({x:.1f})" if x < 0 else f"{x:.1f}"


def _softmax(scores):
    e = np.exp(scores - scores.max())
    return e / e.sum()


def _weights_from_scores(scores):
    """Queries and keys whose scaled scores q·k/√d are exactly `scores` (Tq, Tk): keys are
    the unit vectors of R^Tk, so query i is scores[i] times √Tk."""
    tq, tk = scores.shape
    q = (scores * np.sqrt(tk))[None]
    k = np.eye(tk)[None]
    return q, k


def attention_weight(rng):
    """The weight one query gives key j: softmax over the keys of q·k/√d, with d = 4."""
    while True:
        q = _ints(rng, -2, 2, (1, 1, 4))
        k = _ints(rng, -1, 1, (1, 3, 4))
        j = int(rng.integers(0, 3))
        weights = attention_forward(q, k, np.eye(3)[None])[0, 0]  # values = unit vectors
        scores = (q[0] @ k[0].T)[0] / 2.0
        if weights[j] >= SMALLEST and np.ptp(scores) > 0:
            break
    raw = scores * 2.0  # q·k, before the scale 1/√4
    wrong = {"without the scale 1/√d": float(_softmax(raw)[j]),
             "scaled by 1/d instead of 1/√d": float(_softmax(raw / 4)[j])}
    return {"q": _vec(q), "k0": _vec(k[0, 0]), "k1": _vec(k[0, 1]), "k2": _vec(k[0, 2]),
            "j": j, "scores": _vec(scores, "{:g}"),
            "weights": _vec(weights, "{:.4f}"), "result": f"{weights[j]:.3f}"}, \
        float(weights[j]), wrong


def attention_output(rng):
    """out = Σ_j softmax(q·k_j/√d) v_j for one query, two keys, d = 4 and scalar values."""
    while True:
        q = _ints(rng, -2, 2, (1, 1, 4))
        k = _ints(rng, -1, 1, (1, 2, 4))
        v = _tenths(rng, -3, 3, (1, 2, 1))
        out = float(attention_forward(q, k, v)[0, 0, 0])
        weights = attention_forward(q, k, np.eye(2)[None])[0, 0]
        scores = (q[0] @ k[0].T)[0] / 2.0
        if abs(out) >= SMALLEST and v[0, 0, 0] != v[0, 1, 0] and scores[0] != scores[1]:
            break
    values = v[0, :, 0]
    wrong = {"without the scale 1/√d": float(_softmax(scores * 2) @ values),
             "scaled by 1/d instead of 1/√d": float(_softmax(scores / 2) @ values),
             "the plain average of the values": float(values.mean())}
    return {"q": _vec(q), "k0": _vec(k[0, 0]), "k1": _vec(k[0, 1]),
            "v0": f"{v[0, 0, 0]:.1f}", "v1": f"{v[0, 1, 0]:.1f}",
            "terms": " + ".join(f"{w:.4f} · {_factor(x)}"
                                for w, x in zip(weights, v[0, :, 0], strict=True)),
            "scores": _vec(scores, "{:g}"), "weights": _vec(weights, "{:.4f}"),
            "result": f"{out:.3f}"}, out, wrong


def softmax_backward_entry(rng):
    """One entry of dS = P ⊙ (dP − rowsum(dP ⊙ P)) for one query over three keys."""
    while True:
        scores = _tenths(rng, -1, 1, (1, 3))
        dp = _tenths(rng, -2, 2, (1, 3))
        j = int(rng.integers(0, 3))
        q, k = _weights_from_scores(scores)
        v = np.eye(3)[None]  # then dP = dout vᵀ is dout itself
        p = attention_forward(q, k, v)[0, 0]
        dq, _, _ = attention_backward(dp[None], q, k, v)
        ds = dq[0, 0] * np.sqrt(3)  # dq = dS k / √d with k = I and d = 3
        if abs(ds[j]) >= SMALLEST:
            break
    dot = float(np.dot(p, dp[0]))
    wrong = {"P ⊙ dP, the row sum left out": float(p[j] * dp[0, j]),
             "P ⊙ (1 − P) ⊙ dP, only the Jacobian's diagonal": float(p[j] * (1 - p[j]) * dp[0, j]),
             "dP − Σ P ⊙ dP, not multiplied by P": float(dp[0, j] - dot)}
    return {"p": _vec(p, "{:.4f}"), "dp": _vec(dp, "{:.1f}"), "j": j,
            "dot": f"{dot:.4f}", "minus_dot": f"+ {-dot:.4f}" if dot < 0 else f"− {dot:.4f}",
            "result": f"{ds[j]:.3f}"}, float(ds[j]), wrong


def value_gradient(rng):
    """dv = Pᵀ dout: the gradient on one key's (scalar) value from two queries."""
    while True:
        scores = _tenths(rng, -1, 1, (2, 2))
        dout = _tenths(rng, -2, 2, (1, 2, 1))
        j = int(rng.integers(0, 2))
        q, k = _weights_from_scores(scores)
        v = np.zeros((1, 2, 1))  # dv does not depend on v
        p = attention_forward(q, k, np.eye(2)[None])[0]
        _, _, dv = attention_backward(dout, q, k, v)
        answer = float(dv[0, j, 0])
        if abs(answer) >= SMALLEST:
            break
    terms = " + ".join(f"{p[i, j]:.4f} · {_factor(dout[0, i, 0])}" for i in range(2))
    g = dout[0, :, 0]
    wrong = {"(P dout)[j], P not transposed": float(p[j] @ g),
             "query j's term alone": float(p[j, j] * g[j])}
    return {"p0": _vec(p[0], "{:.4f}"), "p1": _vec(p[1], "{:.4f}"),
            "g0": f"{dout[0, 0, 0]:.1f}", "g1": f"{dout[0, 1, 0]:.1f}", "j": j,
            "terms": terms, "result": f"{answer:.3f}"}, answer, wrong
