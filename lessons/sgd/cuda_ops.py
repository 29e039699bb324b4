"""The optimizer steps as fused CUDA kernels (numba-cuda): the same functions as reference.py.

One kernel per optimizer, and each is fused: a thread reads w, dw and the state of its
elements once and writes every new value in the same pass (Adam's m, v and w together),
where NumPy makes a pass over memory per operation. A grid-stride loop lets any grid
cover any size. The public functions copy their inputs to the device, launch one kernel
and copy the results back. Without a GPU the kernels run on Numba's CUDA simulator
(see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
THREADS = 128  # threads per block
MAX_BLOCKS = 4096  # past this the grid-stride loop gives each thread several elements


@cuda.jit
def _sgd_kernel(w, dw, lr, w_new):
    """w_new = w - lr * dw."""
    for i in range(cuda.grid(1), w.size, cuda.gridsize(1)):
        w_new[i] = w[i] - lr * dw[i]


@cuda.jit
def _momentum_kernel(w, dw, v, lr, momentum, w_new, v_new):
    """v_new = momentum * v - lr * dw; w_new = w + v_new."""
    for i in range(cuda.grid(1), w.size, cuda.gridsize(1)):
        vel = momentum * v[i] - lr * dw[i]
        v_new[i] = vel
        w_new[i] = w[i] + vel


@cuda.jit
def _nesterov_kernel(w, dw, v, lr, momentum, w_new, v_new):
    """v_new = momentum * v - lr * dw; w_new = w - momentum * v + (1 + momentum) * v_new."""
    for i in range(cuda.grid(1), w.size, cuda.gridsize(1)):
        old = v[i]
        vel = momentum * old - lr * dw[i]
        v_new[i] = vel
        w_new[i] = w[i] - momentum * old + (1.0 + momentum) * vel


@cuda.jit
def _adam_kernel(w, dw, m, v, lr, beta1, beta2, c1, c2, eps, w_new, m_new, v_new):
    """m, v: moving averages of dw and dw²; w_new = w - lr (m / c1) / (sqrt(v / c2) + eps)."""
    for i in range(cuda.grid(1), w.size, cuda.gridsize(1)):
        g = dw[i]
        mi = beta1 * m[i] + (1.0 - beta1) * g
        vi = beta2 * v[i] + (1.0 - beta2) * g * g
        m_new[i] = mi
        v_new[i] = vi
        w_new[i] = w[i] - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)


def _launch(kernel, arrays, scalars, outputs):
    """Copy the arrays to the device flat, run `kernel(*arrays, *scalars, *outputs)` on
    `outputs` new device arrays, and return them on the host in the shape of arrays[0]."""
    shape = np.shape(arrays[0])
    flat = [cuda.to_device(np.ascontiguousarray(a, dtype=np.float64).ravel()) for a in arrays]
    n = flat[0].size
    outs = [cuda.device_array(n, dtype=np.float64) for _ in range(outputs)]
    if n:
        blocks = min(MAX_BLOCKS, math.ceil(n / THREADS))
        kernel[blocks, THREADS](*flat, *(float(s) for s in scalars), *outs)
    return tuple(o.copy_to_host().reshape(shape) for o in outs)


def sgd_step(w, dw, lr):
    """w_new = w - lr * dw."""
    (w_new,) = _launch(_sgd_kernel, (w, dw), (lr,), 1)
    return w_new


def sgd_momentum_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w + v_new."""
    return _launch(_momentum_kernel, (w, dw, v), (lr, momentum), 2)


def nesterov_step(w, dw, v, lr, momentum):
    """v_new = momentum * v - lr * dw; w_new = w - momentum * v + (1 + momentum) * v_new."""
    return _launch(_nesterov_kernel, (w, dw, v), (lr, momentum), 2)


def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam: the raw moving averages m_new, v_new and the bias-corrected step on w."""
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t  # bias corrections, once per step
    return _launch(_adam_kernel, (w, dw, m, v), (lr, beta1, beta2, c1, c2, eps), 3)
