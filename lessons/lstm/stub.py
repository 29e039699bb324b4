"""Recurrent nets and the LSTM: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check lstm` to grade them (or
`tutor check lstm.lstm_step_forward` for one exercise). Read the
lesson's pages first; the hints ladder is there when you are stuck.

Conventions for every function:
- Inputs are float64 NumPy arrays. Return new float64 arrays of exactly
  the stated shapes; never modify an input in place and never return an
  input itself.
- Weights multiply from the right: x @ Wx, with Wx of shape (D, 4H).
- The 4H pre-activations a = x @ Wx + prev_h @ Wh + b hold the four
  gates side by side in this order: input gate i = a[:, 0:H], forget
  gate f = a[:, H:2H], output gate o = a[:, 2H:3H], candidate g =
  a[:, 3H:4H]. i, f, o use the sigmoid, g uses tanh.
- A backward function takes the upstream gradient(s) first, then the
  same inputs as its forward function, and returns gradients in the
  order of those inputs.
- Stay numerically stable: pre-activations can be as large as about 1e3
  in magnitude, and the result must not contain inf or nan where the
  true value is finite.
"""

import numpy as np


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM, for a batch of N sequences.

    Inputs:
    - x: float64 array of shape (N, D), the inputs at this step.
    - prev_h: float64 array of shape (N, H), the previous hidden state.
    - prev_c: float64 array of shape (N, H), the previous cell state.
    - Wx: float64 array of shape (D, 4H), input-to-gates weights.
    - Wh: float64 array of shape (H, 4H), hidden-to-gates weights.
    - b: float64 array of shape (4H,), the biases.

    Returns a tuple (next_h, next_c), each a float64 array of shape
    (N, H):
    - next_c = f * prev_c + i * g
    - next_h = o * tanh(next_c)
    with i, f, o, g the gates of the pre-activations in the order
    [i | f | o | g].
    """
    raise NotImplementedError("lstm_step_forward")


def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    """Backward pass of one LSTM time step.

    Inputs:
    - dnext_h: float64 array of shape (N, H), the upstream gradient on
      next_h.
    - dnext_c: float64 array of shape (N, H), the upstream gradient on
      next_c.
    - x, prev_h, prev_c, Wx, Wh, b: the forward inputs, shapes (N, D),
      (N, H), (N, H), (D, 4H), (H, 4H) and (4H,). Recompute what you
      need from them.

    Returns a tuple (dx, dprev_h, dprev_c, dWx, dWh, db) of float64
    arrays with the shapes of x, prev_h, prev_c, Wx, Wh and b: the
    gradients of sum(dnext_h * next_h) + sum(dnext_c * next_c) with
    respect to each input.
    """
    raise NotImplementedError("lstm_step_backward")


def lstm_forward(x, h0, Wx, Wh, b):
    """Forward pass of an LSTM over a whole sequence.

    Inputs:
    - x: float64 array of shape (N, T, D): N sequences of T steps, D
      features per step.
    - h0: float64 array of shape (N, H), the initial hidden state. The
      initial cell state is zero.
    - Wx (D, 4H), Wh (H, 4H), b (4H,): the weights, shared by every
      step.

    Returns:
    - h: float64 array of shape (N, T, H), where h[:, t] is the hidden
      state after step t (h0 itself is not included).
    """
    raise NotImplementedError("lstm_forward")


def lstm_backward(dh, x, h0, Wx, Wh, b):
    """Backward pass of an LSTM over a whole sequence (backpropagation through time).

    Inputs:
    - dh: float64 array of shape (N, T, H), the upstream gradient on
      every hidden state h[:, t]. There is no upstream gradient on the
      final cell state.
    - x, h0, Wx, Wh, b: the forward inputs, shapes (N, T, D), (N, H),
      (D, 4H), (H, 4H) and (4H,). Recompute the forward states you need
      from them.

    Returns a tuple (dx, dh0, dWx, dWh, db) of float64 arrays with the
    shapes of x, h0, Wx, Wh and b: the gradients of sum(dh *
    lstm_forward(x, h0, Wx, Wh, b)). dh is not modified.
    """
    raise NotImplementedError("lstm_backward")
