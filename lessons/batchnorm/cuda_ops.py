"""Batch and layer normalization as CUDA kernels (numba-cuda): the same functions as
reference.py.

Two kinds of kernel do the work. Reductions take a sum along every *line* of a matrix, its
columns (axis 0, batchnorm) or its rows (axis 1, layernorm): a block serves 32 lines with
8 threads walking along each, and the 8 partial sums meet in shared memory. Elementwise
kernels give one thread to each entry. The public functions copy their inputs to the
device, launch kernels and copy the results back. Without a GPU the kernels run on Numba's
CUDA simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
LINES = 32  # a reduction block serves 32 lines (threadIdx.x) ...
STEPS = 8  # ... with 8 threads walking along each one (threadIdx.y); a power of 2
TILE = 16  # elementwise kernels: a block covers a TILE x TILE tile of the matrix
THREADS = 128  # threads per block for one-dimensional kernels


@cuda.jit(device=True)
def _at(a, axis, k, line):
    """Element k of a line: of column `line` (axis 0) or of row `line` (axis 1)."""
    if axis == 0:
        return a[k, line]
    return a[line, k]


@cuda.jit(device=True)
def _line_sum(partial, value):
    """Add up `value` over the STEPS threads of one line; every one of them gets the total.

    partial is the block's (STEPS, LINES) shared array. Every thread of the block must call
    this, in or out of range, because of the barriers.
    """
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    partial[ty, tx] = value
    cuda.syncthreads()
    half = STEPS // 2
    while half > 0:  # tree: 8 partial sums -> 4 -> 2 -> 1
        if ty < half:
            partial[ty, tx] += partial[ty + half, tx]
        cuda.syncthreads()
        half //= 2
    total = partial[0, tx]
    cuda.syncthreads()  # all have read the total before partial is written again
    return total


@cuda.jit
def _stats_kernel(x, axis, mean, var):
    """Per line: mean = (1/n) sum x; var = (1/n) sum (x - mean)^2 (two passes)."""
    partial = cuda.shared.array((STEPS, LINES), np.float64)
    line = cuda.blockIdx.x * LINES + cuda.threadIdx.x
    n, lines = (x.shape[0], x.shape[1]) if axis == 0 else (x.shape[1], x.shape[0])
    inside = line < lines
    acc = 0.0
    if inside:
        for k in range(cuda.threadIdx.y, n, STEPS):
            acc += _at(x, axis, k, line)
    m = _line_sum(partial, acc) / n
    acc = 0.0
    if inside:
        for k in range(cuda.threadIdx.y, n, STEPS):
            c = _at(x, axis, k, line) - m
            acc += c * c
    v = _line_sum(partial, acc) / n
    if inside and cuda.threadIdx.y == 0:
        mean[line] = m
        var[line] = v


@cuda.jit
def _sums_kernel(a, b, axis, sum_a, sum_ab):
    """Per line: sum_a = sum a; sum_ab = sum a * b (the backward's reductions)."""
    partial = cuda.shared.array((STEPS, LINES), np.float64)
    line = cuda.blockIdx.x * LINES + cuda.threadIdx.x
    n, lines = (a.shape[0], a.shape[1]) if axis == 0 else (a.shape[1], a.shape[0])
    inside = line < lines
    acc_a = 0.0
    acc_ab = 0.0
    if inside:
        for k in range(cuda.threadIdx.y, n, STEPS):
            ak = _at(a, axis, k, line)
            acc_a += ak
            acc_ab += ak * _at(b, axis, k, line)
    total_a = _line_sum(partial, acc_a)
    total_ab = _line_sum(partial, acc_ab)
    if inside and cuda.threadIdx.y == 0:
        sum_a[line] = total_a
        sum_ab[line] = total_ab


@cuda.jit
def _normalize_kernel(x, mean, var, eps, axis, gamma, beta, out):
    """out[i, j] = gamma[j] * (x[i, j] - mean[l]) / sqrt(var[l] + eps) + beta[j], where the
    line l is the column j (axis 0) or the row i (axis 1)."""
    j, i = cuda.grid(2)  # x-threads run along a row: neighbours read neighbouring memory
    if i < x.shape[0] and j < x.shape[1]:
        line = j if axis == 0 else i
        out[i, j] = gamma[j] * ((x[i, j] - mean[line]) / math.sqrt(var[line] + eps)) + beta[j]


@cuda.jit
def _batchnorm_dx_kernel(dout, x_hat, gamma, var, eps, dbeta, dgamma, dx):
    """dx = gamma / (N sqrt(var + eps)) * (N dout - dbeta - x_hat * dgamma), per column."""
    j, i = cuda.grid(2)
    n = dout.shape[0]
    if i < n and j < dout.shape[1]:
        scale = gamma[j] / (n * math.sqrt(var[j] + eps))
        dx[i, j] = scale * (n * dout[i, j] - dbeta[j] - x_hat[i, j] * dgamma[j])


@cuda.jit
def _scale_columns_kernel(a, gamma, out):
    """out[i, j] = gamma[j] * a[i, j]."""
    j, i = cuda.grid(2)
    if i < a.shape[0] and j < a.shape[1]:
        out[i, j] = gamma[j] * a[i, j]


@cuda.jit
def _layernorm_dx_kernel(dx_hat, x_hat, var, eps, s1, s2, dx):
    """dx = 1 / (D sqrt(var + eps)) * (D dx_hat - s1 - x_hat * s2), per row."""
    j, i = cuda.grid(2)
    d = dx_hat.shape[1]
    if i < dx_hat.shape[0] and j < d:
        scale = 1.0 / (d * math.sqrt(var[i] + eps))
        dx[i, j] = scale * (d * dx_hat[i, j] - s1[i] - x_hat[i, j] * s2[i])


@cuda.jit
def _blend_kernel(old, new, momentum, out):
    """out = momentum * old + (1 - momentum) * new."""
    j = cuda.grid(1)
    if j < old.size:
        out[j] = momentum * old[j] + (1.0 - momentum) * new[j]


# Device-side building blocks: device arrays in, device arrays out.

def _to_device(a):
    return cuda.to_device(np.ascontiguousarray(a, dtype=np.float64))


def _lines(a, axis):
    return a.shape[1] if axis == 0 else a.shape[0]


def _stats(x, axis):
    lines = _lines(x, axis)
    mean = cuda.device_array(lines, dtype=np.float64)
    var = cuda.device_array(lines, dtype=np.float64)
    _stats_kernel[math.ceil(lines / LINES), (LINES, STEPS)](x, axis, mean, var)
    return mean, var


def _sums(a, b, axis):
    lines = _lines(a, axis)
    sum_a = cuda.device_array(lines, dtype=np.float64)
    sum_ab = cuda.device_array(lines, dtype=np.float64)
    _sums_kernel[math.ceil(lines / LINES), (LINES, STEPS)](a, b, axis, sum_a, sum_ab)
    return sum_a, sum_ab


def _tiles(shape):
    """Launch configuration covering an (N, D) matrix: blocks along D first, then N."""
    return (math.ceil(shape[1] / TILE), math.ceil(shape[0] / TILE)), (TILE, TILE)


def _normalize(x, mean, var, eps, axis, gamma=None, beta=None):
    """gamma * x_hat + beta; x_hat itself when gamma and beta are not given."""
    d = x.shape[1]
    gamma = gamma if gamma is not None else cuda.to_device(np.ones(d))
    beta = beta if beta is not None else cuda.to_device(np.zeros(d))
    out = cuda.device_array(x.shape, dtype=np.float64)
    blocks, threads = _tiles(x.shape)
    _normalize_kernel[blocks, threads](x, mean, var, float(eps), axis, gamma, beta, out)
    return out


# The public functions: NumPy arrays in, NumPy arrays out.

def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per column."""
    x = _to_device(x)
    mean, var = _stats(x, 0)
    return _normalize(x, mean, var, eps, 0, _to_device(gamma), _to_device(beta)).copy_to_host()


def batchnorm_backward(dout, x, gamma, beta, eps=1e-5):
    """dx = gamma / (N sqrt(var + eps)) * (N dout - sum(dout) - x_hat * sum(dout * x_hat));
    dgamma = sum(dout * x_hat) and dbeta = sum(dout), all sums over the batch."""
    dout, x = _to_device(dout), _to_device(x)
    mean, var = _stats(x, 0)
    x_hat = _normalize(x, mean, var, eps, 0)
    dbeta, dgamma = _sums(dout, x_hat, 0)
    dx = cuda.device_array(x.shape, dtype=np.float64)
    blocks, threads = _tiles(x.shape)
    _batchnorm_dx_kernel[blocks, threads](dout, x_hat, _to_device(gamma), var, float(eps),
                                          dbeta, dgamma, dx)
    return dx.copy_to_host(), dgamma.copy_to_host(), dbeta.copy_to_host()


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    """new = momentum * old + (1 - momentum) * batch statistic (mean, biased variance)."""
    mean, var = _stats(_to_device(x), 0)
    results = []
    for old, new in ((running_mean, mean), (running_var, var)):
        out = cuda.device_array(new.shape, dtype=np.float64)
        blocks = math.ceil(out.size / THREADS)
        _blend_kernel[blocks, THREADS](_to_device(old), new, float(momentum), out)
        results.append(out.copy_to_host())
    return tuple(results)


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """out = gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps), stats per row."""
    x = _to_device(x)
    mean, var = _stats(x, 1)
    return _normalize(x, mean, var, eps, 1, _to_device(gamma), _to_device(beta)).copy_to_host()


def layernorm_backward(dout, x, gamma, beta, eps=1e-5):
    """batchnorm's dx along each row (count D), with dx_hat = gamma * dout; dgamma and dbeta
    still sum over the batch."""
    dout, x = _to_device(dout), _to_device(x)
    mean, var = _stats(x, 1)
    x_hat = _normalize(x, mean, var, eps, 1)
    dbeta, dgamma = _sums(dout, x_hat, 0)  # gamma, beta: shared by the rows, summed down
    blocks, threads = _tiles(x.shape)
    dx_hat = cuda.device_array(x.shape, dtype=np.float64)
    _scale_columns_kernel[blocks, threads](dout, _to_device(gamma), dx_hat)
    s1, s2 = _sums(dx_hat, x_hat, 1)  # the closed form's sums, along each row
    dx = cuda.device_array(x.shape, dtype=np.float64)
    _layernorm_dx_kernel[blocks, threads](dx_hat, x_hat, var, float(eps), s1, s2, dx)
    return dx.copy_to_host(), dgamma.copy_to_host(), dbeta.copy_to_host()
