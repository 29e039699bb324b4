"""Generators for the clipping lesson's numeric quiz questions.

Each takes the learner's seeded ``numpy.random.Generator`` and returns the parameters that
fill the question's ``{placeholders}``, the answer, computed by the reference code, and the
wrong answers the question exists to catch (the quiz redraws until each is rejected).
"""

import math

import numpy as np

from .reference import clip_by_global_norm, clip_by_value

# Answers smaller than this are redrawn: near 0 the absolute tolerance would accept
# almost anything, and a 0 teaches nothing.
SMALLEST = 0.05


def _tenths(rng, low, high, size):
    """Numbers k / 10 with low <= k / 10 <= high, none of them 0."""
    k = rng.integers(round(low * 10), round(high * 10), size=size)  # in [low, high - 0.1]
    return np.where(k >= 0, k + 1, k) / 10


def _num(v, digits=1):
    return f"{v:.{digits}f}"


def _array(a, fmt=_num):
    """A short array string: [[1.0, -2.0], [0.5, 3.0]]."""
    a = np.asarray(a)
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in a) + "]"
    return "[" + ", ".join(_array(row, fmt) for row in a) + "]"


def _norm(grads):
    """The global norm, as the reference measures it (nothing is clipped at max_norm = inf)."""
    return clip_by_global_norm(grads, math.inf)[1]


def _squares(grads):
    return " + ".join(f"{v * v:.2f}" for g in grads for v in np.ravel(g))


def global_norm(rng):
    """total_norm of a (2, 2) weight gradient and a (2,) bias gradient."""
    dw, db = _tenths(rng, -2, 2, (2, 2)), _tenths(rng, -2, 2, 2)
    answer = _norm([dw, db])
    wrong = {"‖dW‖ + ‖db‖, the arrays' norms added": _norm([dw]) + _norm([db]),
             "the sum of squares, without the square root": answer * answer,
             "the sum of absolute values": float(np.abs(dw).sum() + np.abs(db).sum())}
    return {"dw": _array(dw), "db": _array(db), "squares": _squares([dw, db]),
            "sum": f"{answer * answer:.2f}", "result": f"{answer:.3f}"}, answer, wrong


def clipped_element(rng):
    """One element of clip_by_global_norm([dW, db], max_norm) with the norm above max_norm."""
    while True:
        dw = rng.integers(1, 5, (2, 2)) * rng.choice([-1.0, 1.0], (2, 2))
        db = rng.integers(1, 5, 2) * rng.choice([-1.0, 1.0], 2)
        total = _norm([dw, db])
        max_norm = float(rng.integers(1, math.floor(total)))  # 1 <= max_norm < total
        (cw, cb), _ = clip_by_global_norm([dw, db], max_norm)
        j = int(rng.integers(0, 2))
        answer = float(cb[j])
        if abs(answer) >= SMALLEST:
            break
    (own,), _ = clip_by_global_norm([db], max_norm)
    wrong = {"db[j] unchanged": float(db[j]),
             "db clipped by its own norm": float(own[j]),
             "db[j] clipped by value to ±max_norm": float(np.clip(db[j], -max_norm, max_norm))}
    return {"dw": _array(dw), "db": _array(db), "max_norm": _num(max_norm), "j": j,
            "total": f"{total:.4f}", "factor": f"{max_norm / total:.4f}",
            "element": _num(db[j]), "result": f"{answer:.3f}"}, answer, wrong


def norm_after_value_clipping(rng):
    """The global norm of clip_by_value([g], clip) for a 4-element g."""
    while True:
        g = _tenths(rng, -3, 3, 4)
        clip = float(rng.choice([0.5, 1.0, 1.5]))
        if np.any(np.abs(g) > clip) and np.any(np.abs(g) < clip):
            break
    (clipped,) = clip_by_value([g], clip)
    answer = _norm([clipped])
    wrong = {"clipped only from above, min(g, clip)": _norm([np.minimum(g, clip)]),
             "the norm before clipping": _norm([g]),
             "clip itself, as global-norm clipping would give": clip}
    return {"g": _array(g), "clip": _num(clip), "clipped": _array(clipped),
            "before": f"{_norm([g]):.3f}", "result": f"{answer:.3f}"}, answer, wrong


def per_array_norm(rng):
    """The global norm after clipping each of two arrays by its own norm (the wrong way)."""
    while True:
        g1, g2 = _tenths(rng, -3, 3, 3), _tenths(rng, -3, 3, 2)
        max_norm = float(rng.choice([1.0, 1.5, 2.0]))
        n1, n2 = _norm([g1]), _norm([g2])
        if n1 > max_norm and n2 > 0.5 * max_norm:
            break
    (c1,), _ = clip_by_global_norm([g1], max_norm)  # each array on its own
    (c2,), _ = clip_by_global_norm([g2], max_norm)
    answer = _norm([c1, c2])
    wrong = {"max_norm, as global-norm clipping would give": max_norm,
             "the two clipped norms added": _norm([c1]) + _norm([c2]),
             "the global norm before clipping": _norm([g1, g2])}
    return {"g1": _array(g1), "g2": _array(g2), "max_norm": _num(max_norm),
            "n1": f"{n1:.3f}", "n2": f"{n2:.3f}", "m1": f"{_norm([c1]):.3f}",
            "m2": f"{_norm([c2]):.3f}", "result": f"{answer:.3f}"}, answer, wrong
