"""Attention: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check attention` to grade them (or
`tutor check attention.attention_forward` for one exercise). Read the
lesson's pages first; the hints ladder is there when you are stuck.

Conventions for every function:
- Inputs are float64 NumPy arrays; num_heads is an int and causal a
  bool. Return new float64 arrays of exactly the stated shapes; never
  modify an input in place and never return an input itself.
- Batched matrices are (N, T, width): N sequences of T tokens. `a @ b`
  multiplies the last two axes batch by batch; `a.transpose(0, 2, 1)`
  swaps the last two axes.
- Weights multiply from the right: a projection computes x @ W with W of
  shape (in, out).
- A backward function takes the upstream gradient first, then the same
  inputs as its forward function, and returns gradients in the order of
  those inputs.
- Stay numerically stable: scores can be as large as about 1e3 in
  magnitude, and the result must not contain inf or nan where the true
  value is finite.
"""

import numpy as np


def attention_forward(q, k, v, causal=False):
    """Scaled dot-product attention.

    Inputs:
    - q: float64 array of shape (N, Tq, d), the queries.
    - k: float64 array of shape (N, Tk, d), the keys (same width d as
      the queries).
    - v: float64 array of shape (N, Tk, Dv), the values, one per key
      (Dv may differ from d).
    - causal: if True (then Tq == Tk), query t may attend only to keys 0
      .. t.

    Returns:
    - out: float64 array of shape (N, Tq, Dv), out = softmax(q kᵀ / √d)
      v, where the softmax runs over the keys (each query's weights sum
      to 1) and masked keys get weight 0.
    """
    raise NotImplementedError("attention_forward")


def attention_backward(dout, q, k, v, causal=False):
    """Backward pass of attention_forward.

    Inputs:
    - dout: float64 array of shape (N, Tq, Dv), the upstream gradient
      dL/dout.
    - q, k, v, causal: the forward inputs, shapes (N, Tq, d),
      (N, Tk, d), (N, Tk, Dv).

    Returns a tuple (dq, dk, dv):
    - dq: float64 array of shape (N, Tq, d), dL/dq.
    - dk: float64 array of shape (N, Tk, d), dL/dk.
    - dv: float64 array of shape (N, Tk, Dv), dL/dv.
    There is no cache: recompute what you need from the forward inputs.
    """
    raise NotImplementedError("attention_backward")


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Multi-head self-attention.

    Inputs:
    - x: float64 array of shape (N, T, E), the tokens.
    - Wq, Wk, Wv, Wo: float64 arrays of shape (E, E), the projections.
    - num_heads: int h that divides E; each head has width dh = E // h.
    - causal: if True, token t attends only to tokens 0 .. t.

    Returns:
    - out: float64 array of shape (N, T, E). Q = x @ Wq, K = x @ Wk, V =
      x @ Wv; head j is attention_forward on columns j*dh:(j+1)*dh of Q,
      K and V (scaled by 1/√dh) and fills the same columns of the
      concatenation C (N, T, E); out = C @ Wo.
    """
    raise NotImplementedError("multihead_attention_forward")


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Backward pass of multihead_attention_forward.

    Inputs:
    - dout: float64 array of shape (N, T, E), the upstream gradient
      dL/dout.
    - x, Wq, Wk, Wv, Wo, num_heads, causal: the forward inputs.

    Returns a tuple (dx, dWq, dWk, dWv, dWo):
    - dx: float64 array of shape (N, T, E), dL/dx.
    - dWq, dWk, dWv, dWo: float64 arrays of shape (E, E), the gradients
      of the weights, summed over every token of every sequence.
    """
    raise NotImplementedError("multihead_attention_backward")
