"""Graded inputs for the clipping exercises, chosen to catch real bugs.

Every case is a list of gradient arrays of different shapes, like a model's parameters.
Negative values beyond the threshold catch one-sided clipping, values exactly at ±clip
test the boundary, arrays each below max_norm but together above it catch a norm taken per
array, totals just above and just below max_norm catch a comparison or a scaling done at
the wrong time, a single (1,) array catches code that assumes several 2-D arrays, and
all-zero gradients catch a division by a zero norm. In the cases where nothing needs
clipping, returning the inputs themselves is caught too.
"""

import math

import numpy as np

from tutor import Case

# Parameter shapes of a small two-layer net (w1, b1, w2, b2) and of an RNN cell.
MLP = [(4, 3), (3,), (3, 2), (2,)]
RNN = [(1, 5), (5, 5), (5,), (5, 1), (1,)]


def _normal(rng, shapes, scale=1.0):
    return [scale * rng.standard_normal(s) for s in shapes]


def _norm(grads):
    return math.sqrt(sum(float(np.sum(g * g)) for g in grads))


def clip_by_value(rng):
    grads = _normal(rng, [(3, 4), (4,), (2, 3, 2)], 2.0)
    grads[0][0, :2] = [1.0, -1.0]  # exactly at ±clip: they stay as they are
    grads[1][0], grads[2][0, 0, 0] = 5.0, -5.0  # beyond, on both sides
    inside = rng.uniform(-0.4, 0.4, (2, 5))
    inside[0, 0], inside[1, 4] = 0.5, -0.5
    return [
        Case("3 arrays (3, 4), (4,), (2, 3, 2), clip 1, values on both sides and at ±1",
             (grads, 1.0)),
        Case("1 array of shape (1,), below -clip", ([np.array([-7.5])], 2.0)),
        Case("1 array, every value within [-0.5, 0.5] (some exactly at ±0.5)",
             ([inside], 0.5)),
        Case("gradients of 1e3 scale, clip 5", (_normal(rng, [(6, 5), (5,), (20,)], 1e3), 5.0)),
        Case("all-zero gradients", ([np.zeros((2, 2)), np.zeros(3)], 1.0)),
    ]


def _scaled_to(grads, norms):
    """Each array rescaled to the given norm."""
    return [g * (n / math.sqrt(float(np.sum(g * g)))) for g, n in zip(grads, norms, strict=True)]


def clip_by_global_norm(rng):
    mlp = _normal(rng, MLP)
    each_small = _scaled_to(_normal(rng, RNN), [0.6, 0.8, 0.5, 0.7, 0.4])  # each < 1, total 1.38
    above = _normal(rng, MLP)
    below = _normal(rng, [(5, 2), (2,), (2, 3)])
    return [
        Case("4 arrays (4, 3), (3,), (3, 2), (2,), global norm far above max_norm 1",
             (mlp, 1.0)),
        Case("5 arrays, each norm below max_norm 1, the global norm above it",
             (each_small, 1.0)),
        Case("global norm just above max_norm (5% above)", (above, _norm(above) / 1.05)),
        Case("global norm just below max_norm (5% below)", (below, _norm(below) / 0.95)),
        Case("1 array of shape (1,), norm 3 above max_norm 2", ([np.array([-3.0])], 2.0)),
        Case("gradients of 1e3 scale, max_norm 5",
             (_normal(rng, [(10, 10), (10,), (30,)], 1e3), 5.0)),
        Case("all-zero gradients (global norm 0)", ([np.zeros((3, 2)), np.zeros(2)], 1.0)),
        # Tiny gradients, clipped: the factor must be exactly max_norm / total_norm (an
        # epsilon added to the norm, as some libraries do, is off by 1e-4 here).
        Case("gradients of 1e-2 scale, max_norm 1e-3",
             (_normal(rng, [(4, 3), (3,)], 1e-2), 1e-3)),
    ]


def _model(rng, size):
    """A two-layer net's gradients with hidden width `size`: (size, size), (size,), ..."""
    return _normal(rng, [(size, size), (size,), (size, size), (size,), (size, 10), (10,)])


def race_inputs(name, rng, size=256):
    """Bigger inputs for `tutor race`: a net's gradients, about 2 · size² numbers."""
    grads = _model(rng, size)
    if name == "clip_by_value":
        return grads, 0.5
    return grads, 1.0


# The functions the benchmarks time, with the sizes to pass to race_inputs: a few quick ones
# (the CUDA simulator runs them in seconds) and realistic ones (2 and 8 million numbers);
# `tutor race` takes the first of each.
BENCHMARKS = {
    "clip_by_global_norm": ([4, 8], [1024, 2048]),
    "clip_by_value": ([4, 8], [1024, 2048]),
}
