"""The backprop layers as CUDA kernels (numba-cuda): the same functions as reference.py.

A kernel is the work of one thread: one output element, one column or one row. Matrix
products load 16 x 16 tiles into shared memory so that each number read from global
memory is used 16 times. The public functions copy their inputs to the device, launch
kernels and copy the results back; `two_layer_net` keeps everything on the device between
layers. Without a GPU the kernels run on Numba's CUDA simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
TILE = 16  # a thread block computes one TILE x TILE tile of the output
THREADS = 128  # threads per block for one-dimensional kernels


@cuda.jit
def _matmul_kernel(a, b, bias, out):
    """out = a @ b + bias; thread (ty, tx) of block (by, bx) computes out[by*16+ty, bx*16+tx]."""
    a_tile = cuda.shared.array((TILE, TILE), np.float64)
    b_tile = cuda.shared.array((TILE, TILE), np.float64)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    i = cuda.blockIdx.y * TILE + ty
    j = cuda.blockIdx.x * TILE + tx
    n, d = a.shape
    m = b.shape[1]
    acc = 0.0
    for k0 in range(0, d, TILE):
        # each thread fetches one element of each tile; zeros pad the ragged edges
        a_tile[ty, tx] = a[i, k0 + tx] if i < n and k0 + tx < d else 0.0
        b_tile[ty, tx] = b[k0 + ty, j] if k0 + ty < d and j < m else 0.0
        cuda.syncthreads()  # the tiles are full
        for k in range(TILE):
            acc += a_tile[ty, k] * b_tile[k, tx]
        cuda.syncthreads()  # everyone is done with them before the next load
    if i < n and j < m:
        out[i, j] = acc + bias[j]


@cuda.jit
def _transpose_kernel(a, out):
    """out[j, i] = a[i, j]."""
    i, j = cuda.grid(2)
    if i < a.shape[0] and j < a.shape[1]:
        out[j, i] = a[i, j]


@cuda.jit
def _column_sum_kernel(dout, db):
    """db[j] = sum_i dout[i, j], one thread per column."""
    j = cuda.grid(1)
    if j < dout.shape[1]:
        total = 0.0
        for i in range(dout.shape[0]):
            total += dout[i, j]
        db[j] = total


@cuda.jit
def _relu_kernel(x, out):
    """out = max(0, x)."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[i] = x[i] if x[i] > 0.0 else 0.0


@cuda.jit
def _relu_backward_kernel(dout, x, dx):
    """dx = dout where x > 0, else 0."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        dx[i] = dout[i] if x[i] > 0.0 else 0.0


@cuda.jit(device=True)
def _sigmoid(x):
    """s = 1 / (1 + e^-x), with e^-|x| so that exp never overflows."""
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0.0 else z / (1.0 + z)


@cuda.jit
def _sigmoid_kernel(x, out):
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[i] = _sigmoid(x[i])


@cuda.jit
def _sigmoid_backward_kernel(dout, x, dx):
    """dx = dout * s * (1 - s)."""
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        s = _sigmoid(x[i])
        dx[i] = dout[i] * s * (1.0 - s)


@cuda.jit
def _softmax_cross_entropy_kernel(scores, y, losses, dscores):
    """One thread per row: losses[i] = -log p[i, y_i]; dscores[i] = (p[i] - onehot(y_i)) / N."""
    i = cuda.grid(1)
    n, c = scores.shape
    if i < n:
        top = scores[i, 0]
        for j in range(1, c):
            top = max(top, scores[i, j])
        z = 0.0
        for j in range(c):
            z += math.exp(scores[i, j] - top)
        log_z = math.log(z)
        for j in range(c):
            dscores[i, j] = math.exp(scores[i, j] - top - log_z)
        dscores[i, y[i]] -= 1.0
        for j in range(c):
            dscores[i, j] /= n
        losses[i] = -(scores[i, y[i]] - top - log_z)


# Device-side building blocks: device arrays in, device arrays out.

def _to_device(a, dtype=np.float64):
    return cuda.to_device(np.ascontiguousarray(a, dtype=dtype))


def _blocks(n):
    return max(1, math.ceil(n / THREADS))


def _matmul(a, b, bias=None):
    n, m = a.shape[0], b.shape[1]
    out = cuda.device_array((n, m), dtype=np.float64)
    if bias is None:
        bias = cuda.to_device(np.zeros(m))
    _matmul_kernel[(math.ceil(m / TILE), math.ceil(n / TILE)), (TILE, TILE)](a, b, bias, out)
    return out


def _transpose(a):
    out = cuda.device_array((a.shape[1], a.shape[0]), dtype=np.float64)
    grid = (math.ceil(a.shape[0] / TILE), math.ceil(a.shape[1] / TILE))
    _transpose_kernel[grid, (TILE, TILE)](a, out)
    return out


def _affine_backward(dout, x, w):
    db = cuda.device_array(dout.shape[1], dtype=np.float64)
    _column_sum_kernel[_blocks(dout.shape[1]), THREADS](dout, db)
    return _matmul(dout, _transpose(w)), _matmul(_transpose(x), dout), db


def _elementwise(kernel, *arrays):
    """Launch `kernel(*flat inputs, flat out)` on device arrays of one shape."""
    flat = [a.reshape(a.size) for a in arrays]
    out = cuda.device_array(flat[0].size, dtype=np.float64)
    kernel[_blocks(out.size), THREADS](*flat, out)
    return out.reshape(arrays[0].shape)


def _softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    losses = cuda.device_array(n, dtype=np.float64)
    dscores = cuda.device_array(scores.shape, dtype=np.float64)
    _softmax_cross_entropy_kernel[_blocks(n), THREADS](scores, y, losses, dscores)
    return float(losses.copy_to_host().mean()), dscores


# The public functions: NumPy arrays in, NumPy arrays out.

def affine_forward(x, w, b):
    """out = x @ w + b, with x (N, D), w (D, M), b (M,)."""
    return _matmul(_to_device(x), _to_device(w), _to_device(b)).copy_to_host()


def affine_backward(dout, x, w, b):
    """dx = dout @ w.T, dw = x.T @ dout, db = sum of dout over the batch."""
    grads = _affine_backward(_to_device(dout), _to_device(x), _to_device(w))
    return tuple(g.copy_to_host() for g in grads)


def relu_forward(x):
    """out = max(0, x), elementwise."""
    return _elementwise(_relu_kernel, _to_device(x)).copy_to_host()


def relu_backward(dout, x):
    """dx = dout where x > 0, else 0 (the gradient at x == 0 is taken as 0)."""
    return _elementwise(_relu_backward_kernel, _to_device(dout), _to_device(x)).copy_to_host()


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)), written so that exp never overflows."""
    return _elementwise(_sigmoid_kernel, _to_device(x)).copy_to_host()


def sigmoid_backward(dout, x):
    """dx = dout * s * (1 - s) with s = sigmoid(x)."""
    return _elementwise(_sigmoid_backward_kernel, _to_device(dout), _to_device(x)).copy_to_host()


def softmax_cross_entropy(scores, y):
    """loss = mean over N of -log softmax(scores)[i, y_i]; dscores = (p - onehot(y)) / N."""
    loss, dscores = _softmax_cross_entropy(_to_device(scores), _to_device(y, np.int64))
    return loss, dscores.copy_to_host()


def two_layer_net(x, y, w1, b1, w2, b2):
    """affine -> relu -> affine -> softmax cross-entropy; returns (loss, grads)."""
    x, w1, w2 = _to_device(x), _to_device(w1), _to_device(w2)
    a1 = _matmul(x, w1, _to_device(b1))
    h1 = _elementwise(_relu_kernel, a1)
    scores = _matmul(h1, w2, _to_device(b2))
    loss, dscores = _softmax_cross_entropy(scores, _to_device(y, np.int64))
    dh1, dw2, db2 = _affine_backward(dscores, h1, w2)
    da1 = _elementwise(_relu_backward_kernel, dh1, a1)
    _, dw1, db1 = _affine_backward(da1, x, w1)
    grads = {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2}
    return loss, {name: g.copy_to_host() for name, g in grads.items()}
