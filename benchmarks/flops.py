"""The floating-point work of the lesson functions that the benchmarks time.

`flops(key, args)` counts the operations of the matrix products in "lesson.function" on
its arguments (two per multiply-add): the work that can run near the machine's matmul
peak. Elementwise and reduction layers have none listed, since memory, not arithmetic,
bounds them; attention under a causal mask counts only the (query, key) pairs it needs.
"""

from collections.abc import Callable

import numpy as np


def _pairs(tq: int, tk: int, causal: bool) -> int:
    """(query, key) pairs a query attends over: all, or keys j <= i under a causal mask."""
    return sum(min(i + 1, tk) for i in range(tq)) if causal else tq * tk


def _attention_flops(q, k, v, causal, backward):
    pairs = q.shape[0] * _pairs(q.shape[1], k.shape[1], causal)
    d, dv = q.shape[2], v.shape[2]
    # forward: S = q kᵀ, out = P v; backward: S again, dv = Pᵀ dout, dP = dout vᵀ, dq, dk
    return 2 * pairs * ((3 * d + 2 * dv) if backward else (d + dv))


def _multihead_flops(x, heads, causal, backward):
    n, t, e = x.shape
    projections = 2 * n * t * e * e
    pairs = n * _pairs(t, t, causal) * heads
    dh = e // heads
    if not backward:  # q, k, v, and out = concat Wo; per head S and P v
        return 4 * projections + 2 * pairs * 2 * dh
    # q, k, v, dWo, dconcat, dx (3), dW (3); per head S, P v, dv, dP, dq, dk
    return 11 * projections + 2 * pairs * 6 * dh


def _lstm_step_flops(n, d, h):
    return 2 * n * (d + h) * 4 * h


FLOPS: dict[str, Callable[..., float]] = {
    "backprop.affine_forward": lambda x, w, b: 2 * x.shape[0] * w.shape[0] * w.shape[1],
    "backprop.affine_backward": lambda dout, x, w, b: 4 * x.shape[0] * w.shape[0] * w.shape[1],
    "cnn.conv_forward": lambda x, w, b, s, p: 2 * np.prod(w.shape) * x.shape[0]
    * ((x.shape[2] + 2 * p - w.shape[2]) // s + 1) * ((x.shape[3] + 2 * p - w.shape[3]) // s + 1),
    "cnn.conv_backward": lambda dout, x, w, b, s, p: 4 * np.prod(w.shape) * dout.shape[0]
    * dout.shape[2] * dout.shape[3],
    "attention.attention_forward": lambda q, k, v, c: _attention_flops(q, k, v, c, False),
    "attention.attention_backward": lambda dout, q, k, v, c: _attention_flops(q, k, v, c, True),
    "attention.multihead_attention_forward":
        lambda x, wq, wk, wv, wo, h, c: _multihead_flops(x, h, c, False),
    "attention.multihead_attention_backward":
        lambda dout, x, wq, wk, wv, wo, h, c: _multihead_flops(x, h, c, True),
    "lstm.lstm_step_forward": lambda x, h, c, wx, wh, b: _lstm_step_flops(*x.shape, h.shape[1]),
    "lstm.lstm_forward": lambda x, h0, wx, wh, b: x.shape[1] * _lstm_step_flops(
        x.shape[0], x.shape[2], h0.shape[1]),
    # the forward pass again, then da into the inputs and into the weights
    "lstm.lstm_backward": lambda dh, x, h0, wx, wh, b: 3 * x.shape[1] * _lstm_step_flops(
        x.shape[0], x.shape[2], h0.shape[1]),
}


def flops(key: str, args) -> float | None:
    """Floating-point operations of the matrix products in `key` on `args`, if counted."""
    count = FLOPS.get(key)
    return float(count(*args)) if count else None
