"""The optimizer steps compiled with Numba: the same functions as reference.py, as loops.

Each `_kernel` is one update written one element at a time and compiled by `@njit`; it
reads every input once and writes every output once, where NumPy makes a temporary array
per operation, and its elements are spread over the cores (`prange`): every one is
updated on its own. With millions of weights the time goes to memory, not arithmetic, so
reading less of it is the whole gain. The public functions around them only allocate the
outputs, compute the scalars (Adam's bias corrections) and keep the reference's shapes
and types.
"""

import math

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath  # noqa: F401  (its thread pool setting: see there)


@njit(cache=True, parallel=True, error_model="numpy")
def _sgd(w, dw, lr, w_new):
    """w_new = w - lr * dw."""
    for i in prange(w.size):
        w_new[i] = w[i] - lr * dw[i]


@njit(cache=True, parallel=True, error_model="numpy")
def _momentum(w, dw, v, lr, momentum, w_new, v_new):
    """v_new = momentum * v - lr * dw; w_new = w + v_new."""
    for i in prange(w.size):
        vel = momentum * v[i] - lr * dw[i]
        v_new[i] = vel
        w_new[i] = w[i] + vel


@njit(cache=True, parallel=True, error_model="numpy")
def _nesterov(w, dw, v, lr, momentum, w_new, v_new):
    """v_new = momentum * v - lr * dw; w_new = w - momentum * v + (1 + momentum) * v_new."""
    for i in prange(w.size):
        vel = momentum * v[i] - lr * dw[i]
        v_new[i] = vel
        w_new[i] = w[i] - momentum * v[i] + (1.0 + momentum) * vel


@njit(cache=True, parallel=True, error_model="numpy")
def _adam(w, dw, m, v, lr, beta1, beta2, c1, c2, eps, w_new, m_new, v_new):
    """m, v: moving averages of dw and dw²; w_new = w - lr (m / c1) / (sqrt(v / c2) + eps)."""
    for i in prange(w.size):
        g = dw[i]
        mi = beta1 * m[i] + (1.0 - beta1) * g
        vi = beta2 * v[i] + (1.0 - beta2) * g * g
        m_new[i] = mi
        v_new[i] = vi
        w_new[i] = w[i] - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)


def _flat(a):
    return np.ascontiguousarray(a, dtype=np.float64).ravel()


def _run(kernel, arrays, scalars, outputs):
    """kernel(*flat arrays, *scalars, *outputs) with `outputs` new arrays shaped like w."""
    shape = np.shape(arrays[0])
    flat = [_flat(a) for a in arrays]
    outs = [np.empty(flat[0].size) for _ in range(outputs)]
    kernel(*flat, *(float(s) for s in scalars), *outs)
    return tuple(o.reshape(shape) for o in outs)


def sgd_step(w, dw, lr):
    """w_new = w - lr * dw."""
    (w_new,) = _run(_sgd, (w, dw), (lr,), 1)
    return w_new


def sgd_momentum_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w + v_new."""
    return _run(_momentum, (w, dw, v), (lr, momentum), 2)


def nesterov_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w - momentum * v + (1 + momentum) * v_new."""
    return _run(_nesterov, (w, dw, v), (lr, momentum), 2)


def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam: the raw moving averages m_new, v_new and the bias-corrected step on w."""
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t  # bias corrections, once per step
    return _run(_adam, (w, dw, m, v), (lr, beta1, beta2, c1, c2, eps), 3)
