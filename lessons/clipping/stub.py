"""Gradient clipping: your solutions.

Edit the functions below, replacing each
`raise NotImplementedError(...)` with your code, then run
`tutor check clipping` to grade them (or
`tutor check clipping.clip_by_value` for one exercise). Read the
lesson's pages first; the hints ladder is there when you are stuck.

Conventions for every function:
- `grads` is a Python list of float64 NumPy arrays of any shapes
  (at least 1-D), one per parameter of a model, as backprop returned
  them.
- Return a new list of new float64 arrays, one per input array, in the
  same order and of the same shapes. Never modify an input array in
  place and never return an input array itself (not even when nothing
  needs clipping: return copies).
- Thresholds (clip, max_norm) are positive Python floats.
"""

import numpy as np


def clip_by_value(grads, clip):
    """Clip every element of every gradient to the interval [-clip, clip].

    Inputs:
    - grads: list of float64 arrays of any shapes.
    - clip: positive float, the largest magnitude an element may keep.

    Returns:
    - clipped: list of new float64 arrays, clipped[i] of the shape of
      grads[i], with clipped[i][j] = min(max(grads[i][j], -clip), clip).
      Values inside [-clip, clip] (including exactly ±clip) are kept as
      they are.
    """
    raise NotImplementedError("clip_by_value")


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their global norm is at most max_norm.

    Inputs:
    - grads: list of float64 arrays of any shapes.
    - max_norm: positive float, the largest global norm allowed.

    Returns a tuple (clipped, total_norm):
    - total_norm: Python float, the global norm of the gradients BEFORE
      clipping:
      sqrt of the sum of the squares of every element of every array.
    - clipped: list of new float64 arrays of the shapes of grads. If
      total_norm > max_norm, every array is multiplied by the same
      factor max_norm / total_norm; otherwise each is an unchanged copy.
      (All-zero gradients have total_norm 0 and are not scaled.)
    """
    raise NotImplementedError("clip_by_global_norm")
