"""Graded inputs for the attention exercises, chosen to catch real bugs.

Tq != Tk and Dv != d expose transposes and widths taken from the wrong array; widths that
are not powers of two (d = 3, 5, 6, heads of width 3 and 2) and scores of order 1 make a
scale of 1/d, 1/√E or none at all visible; causal cases, including T = 1, expose masks that
are off by one, transposed or applied after the softmax; one head and N = 1 expose slips in
splitting heads and in batching; scores near ±1e3 overflow a softmax that does not subtract
each row's maximum.
"""

import numpy as np

from tutor import Case


def _qkv(rng, n, tq, tk, d, dv, scale=1.0):
    """Queries, keys and values with scores q·k/√d of order `scale`."""
    q = scale * rng.standard_normal((n, tq, d))
    return q, rng.standard_normal((n, tk, d)), rng.standard_normal((n, tk, dv))


def _large_scores(rng, n, tq, tk, d, dv, q0, c):
    """Scores about ±1e3, but a well-conditioned softmax.

    Every key shares one large component c, so query i's scores are q_i·c/√d (a different
    offset near ±1e3 for each row, with q_i's first entry of size q0: exp overflows, or
    underflows to 0/0, without the max subtraction) plus moderate differences between keys.
    A merely saturated softmax would hide wrong gradients behind values that are all near 0.
    """
    q, k, v = _qkv(rng, n, tq, tk, d, dv)
    q[..., 0] = q0 * rng.uniform(1.0, 1.6, (n, tq)) * rng.choice([-1.0, 1.0], (n, tq))
    k[..., 0] = c + 1.5 * np.sqrt(d) / q0 * rng.standard_normal((n, tk))  # spread about 1.5
    return q, k, v


def _attention_inputs(rng):
    """(label, q, k, v, causal) for both attention exercises."""
    yield ("N=2, Tq=Tk=5, d=4, Dv=4", *_qkv(rng, 2, 5, 5, 4, 4, 1.5), False)
    yield ("Tq=3 != Tk=6, d=5, Dv=2", *_qkv(rng, 2, 3, 6, 5, 2, 1.5), False)
    yield ("N=1, Tq=4, Tk=2, d=6, Dv=7", *_qkv(rng, 1, 4, 2, 6, 7, 1.5), False)
    yield ("causal, N=2, T=6, d=3, Dv=5", *_qkv(rng, 2, 6, 6, 3, 5, 1.5), True)
    yield ("causal with T=1, N=3, d=4, Dv=2", *_qkv(rng, 3, 1, 1, 4, 2), True)
    yield ("large scores (about ±1e3), Tq=4, Tk=5, d=4, Dv=3",
           *_large_scores(rng, 2, 4, 5, 4, 3, 5.0, 250.0), False)
    yield ("causal, large scores (about ±1e3), T=5, d=3, Dv=2",
           *_large_scores(rng, 1, 5, 5, 3, 2, 250.0, 5.0), True)


def attention_forward(rng):
    return [Case(label, (q, k, v, causal)) if causal else Case(label, (q, k, v))
            for label, q, k, v, causal in _attention_inputs(rng)]


def attention_backward(rng):
    cases = []
    for label, q, k, v, causal in _attention_inputs(rng):
        dout = rng.standard_normal((q.shape[0], q.shape[1], v.shape[2]))
        cases.append(Case(label, (dout, q, k, v, causal) if causal else (dout, q, k, v)))
    return cases


def _mha_inputs(rng):
    """(label, x, Wq, Wk, Wv, Wo, num_heads, causal) for both multi-head exercises."""
    shapes = [("N=2, T=5, E=8, 2 heads", 2, 5, 8, 2, False),
              ("one head, N=2, T=4, E=6", 2, 4, 6, 1, False),
              ("causal, N=2, T=6, E=12, 3 heads", 2, 6, 12, 3, True),
              ("N=1, T=3, E=12, 4 heads of width 3", 1, 3, 12, 4, False),
              ("causal with T=1, N=2, E=8, 4 heads", 2, 1, 8, 4, True),
              ("N=3, T=7, E=10, 5 heads of width 2, causal", 3, 7, 10, 5, True)]
    for label, n, t, e, h, causal in shapes:
        x = rng.standard_normal((n, t, e))
        w = [1.5 * rng.standard_normal((e, e)) / np.sqrt(e) for _ in range(4)]
        yield label, x, *w, h, causal
    # Large scores: every token has a feature near 10, which Wk maps to a large part shared by
    # every key and Wq to a matching part of every query: each head's scores are about +1e3
    # or -1e3 per row, with moderate differences between keys (Wk's other rows are small).
    n, t, e, h = 2, 5, 8, 2
    x = rng.standard_normal((n, t, e))
    x[..., 0] = 10.0 + 0.02 * rng.standard_normal((n, t))
    wq, wk, wv, wo = (rng.standard_normal((e, e)) / np.sqrt(e) for _ in range(4))
    signs = rng.choice([-1.0, 1.0], e)
    wk[0], wk[1:] = 5.0 * signs, 0.2 * wk[1:]
    wq[0] = signs * np.repeat([1.0, -1.0], e // h)  # head 0 near +1e3, head 1 near -1e3
    yield "large scores (about ±1e3), N=2, T=5, E=8, 2 heads", x, wq, wk, wv, wo, h, False


def multihead_attention_forward(rng):
    return [Case(label, (x, wq, wk, wv, wo, h, True) if causal else (x, wq, wk, wv, wo, h))
            for label, x, wq, wk, wv, wo, h, causal in _mha_inputs(rng)]


def multihead_attention_backward(rng):
    cases = []
    for label, x, wq, wk, wv, wo, h, causal in _mha_inputs(rng):
        dout = rng.standard_normal(x.shape)
        args = (dout, x, wq, wk, wv, wo, h)
        cases.append(Case(label, args + (True,) if causal else args))
    return cases


# Sizes for `tutor race` and the benchmarks: `size` is the sequence length T; (quick sizes,
# realistic ones, and the variants each is run in). The quick sizes suit the CUDA simulator
# (33 crosses a 32-query tile; multi-head attention launches many blocks of 256 threads for
# its projections, so one size); `tutor race` takes the first of each, causal.
_MASKS = {"causal": {"causal": True}, "full": {"causal": False}}
BENCHMARKS = {
    "attention_forward": ([8, 33], [256, 1024], _MASKS),
    "attention_backward": ([8, 33], [256, 1024], _MASKS),
    "multihead_attention_forward": ([8], [128, 512], _MASKS),
    "multihead_attention_backward": ([8], [128, 512], _MASKS),
}


def race_inputs(name, rng, size=256, causal=True):
    """Bigger inputs: sequences of T = `size` tokens. From T = 64 on, a batch of 8 with heads
    of width 64 (and E = 256, 4 heads); below, one sequence with heads of width 8 (and E = 16,
    2 heads), small enough for the CUDA simulator."""
    t = size
    n, d, e, h = (8, 64, 256, 4) if size >= 64 else (1, 8, 16, 2)
    if name.startswith("attention"):
        q, k, v = _qkv(rng, n, t, t, d, d)  # scores of order 1
        if name == "attention_forward":
            return q, k, v, causal
        return rng.standard_normal((n, t, d)), q, k, v, causal
    x = rng.standard_normal((n, t, e))
    w = [rng.standard_normal((e, e)) / np.sqrt(e) for _ in range(4)]
    if name == "multihead_attention_forward":
        return x, *w, h, causal
    return rng.standard_normal((n, t, e)), x, *w, h, causal
