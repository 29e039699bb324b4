"""The LSTM as CUDA kernels (numba-cuda): the same functions as reference.py.

A step is matrix products plus one fused kernel for the cell: one thread per unit reads
the unit's four pre-activations and its old cell value and writes the new h and c
(`_cell_kernel`); on the way back one thread per unit turns dh and dc into the four
pre-activation gradients and dprev_c (`_cell_backward_kernel`). Matrix products load
16 x 16 tiles into shared memory, as in the backprop lesson. The sequence functions keep
everything on the device for all T steps and do the weight gradients as one product over
every step at once. Without a GPU the kernels run on Numba's CUDA simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
TILE = 16  # a thread block computes one TILE x TILE tile of a product
THREADS = 128  # threads per block for one-dimensional kernels


@cuda.jit
def _matmul_kernel(a, b, out, accumulate):
    """out = a @ b (+ out when accumulate); thread (ty, tx) of block (by, bx) computes
    out[by*16+ty, bx*16+tx]."""
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
        out[i, j] = out[i, j] + acc if accumulate else acc


@cuda.jit
def _transpose_kernel(a, out):
    """out[j, i] = a[i, j]."""
    i, j = cuda.grid(2)
    if i < a.shape[0] and j < a.shape[1]:
        out[j, i] = a[i, j]


@cuda.jit
def _rows_kernel(b, out):
    """out[i, j] = b[j]: every row starts as the bias."""
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] = b[j]


@cuda.jit
def _column_sum_kernel(a, total):
    """total[j] = Σ_i a[i, j], one thread per column."""
    j = cuda.grid(1)
    if j < a.shape[1]:
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i, j]
        total[j] = s


@cuda.jit(device=True)
def _sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), with e^-|x| so that exp never overflows."""
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0.0 else z / (1.0 + z)


@cuda.jit
def _cell_kernel(a, prev_c, h, c):
    """One thread per unit (n, j): gates from a[n, j + kH], k = i, f, o, g;
    c = f prev_c + i g; h = o tanh(c)."""
    n_rows, size = prev_c.shape
    for idx in range(cuda.grid(1), n_rows * size, cuda.gridsize(1)):
        n, j = idx // size, idx % size
        i = _sigmoid(a[n, j])
        f = _sigmoid(a[n, size + j])
        o = _sigmoid(a[n, 2 * size + j])
        g = math.tanh(a[n, 3 * size + j])
        cell = f * prev_c[n, j] + i * g
        c[n, j] = cell
        h[n, j] = o * math.tanh(cell)


@cuda.jit
def _cell_backward_kernel(a, prev_c, dh, dh_carry, dnext_c, da, dprev_c):
    """One thread per unit: with dnext_h = dh + dh_carry, dc = dnext_c + dnext_h o (1 - tanh² c),
    da = [dc g i(1-i) | dc prev_c f(1-f) | dnext_h tanh(c) o(1-o) | dc i (1-g²)], dprev_c = dc f."""
    n_rows, size = prev_c.shape
    for idx in range(cuda.grid(1), n_rows * size, cuda.gridsize(1)):
        n, j = idx // size, idx % size
        i = _sigmoid(a[n, j])
        f = _sigmoid(a[n, size + j])
        o = _sigmoid(a[n, 2 * size + j])
        g = math.tanh(a[n, 3 * size + j])
        tanh_c = math.tanh(f * prev_c[n, j] + i * g)
        dnext_h = dh[n, j] + dh_carry[n, j]
        dc = dnext_c[n, j] + dnext_h * o * (1.0 - tanh_c * tanh_c)
        da[n, j] = dc * g * i * (1.0 - i)
        da[n, size + j] = dc * prev_c[n, j] * f * (1.0 - f)
        da[n, 2 * size + j] = dnext_h * tanh_c * o * (1.0 - o)
        da[n, 3 * size + j] = dc * i * (1.0 - g * g)
        dprev_c[n, j] = dc * f


# Device-side building blocks: device arrays in, device arrays out.

def _to_device(a):
    return cuda.to_device(np.ascontiguousarray(a, dtype=np.float64))


def _blocks(n):
    return max(1, math.ceil(n / THREADS))


def _grid2(rows, cols):
    return (math.ceil(rows / TILE), math.ceil(cols / TILE))


def _matmul(a, b, out=None, accumulate=False):
    """a @ b into a new array, or into (accumulate: onto) out."""
    if out is None:
        out = cuda.device_array((a.shape[0], b.shape[1]), dtype=np.float64)
    grid = (math.ceil(b.shape[1] / TILE), math.ceil(a.shape[0] / TILE))
    _matmul_kernel[grid, (TILE, TILE)](a, b, out, accumulate)
    return out


def _transpose(a):
    out = cuda.device_array((a.shape[1], a.shape[0]), dtype=np.float64)
    _transpose_kernel[_grid2(*a.shape), (TILE, TILE)](a, out)
    return out


def _affine(x, W, b):
    """x @ W + b for every row of x."""
    out = cuda.device_array((x.shape[0], W.shape[1]), dtype=np.float64)
    _rows_kernel[_grid2(*out.shape), (TILE, TILE)](b, out)
    return _matmul(x, W, out, accumulate=True)


def _column_sum(a):
    total = cuda.device_array(a.shape[1], dtype=np.float64)
    _column_sum_kernel[_blocks(a.shape[1]), THREADS](a, total)
    return total


def _cell(a, prev_c, h, c):
    _cell_kernel[_blocks(prev_c.size), THREADS](a, prev_c, h, c)


def _cell_backward(a, prev_c, dh, dh_carry, dnext_c, da):
    """Fill da (the step's pre-activation gradients); return a new dprev_c."""
    dprev_c = cuda.device_array(prev_c.shape, dtype=np.float64)
    _cell_backward_kernel[_blocks(prev_c.size), THREADS](a, prev_c, dh, dh_carry, dnext_c,
                                                          da, dprev_c)
    return dprev_c


def _sequence(xs, h0, Wx, Wh, b):
    """The forward pass on time-major xs (T, N, D): a (T * N, 4H) with step t in rows
    t N .. t N + N - 1, hs (T + 1, N, H) with hs[t + 1] = h_t, and cs likewise (c_(-1) = 0)."""
    steps, n, d = xs.shape
    size = h0.shape[1]
    a = _affine(xs.reshape(steps * n, d), Wx, b)  # the input part of every step at once
    hs = cuda.device_array((steps + 1, n, size), dtype=np.float64)
    cs = cuda.to_device(np.zeros((steps + 1, n, size)))
    hs[0].copy_to_device(h0)
    for t in range(steps):
        a_t = a[t * n:(t + 1) * n]
        _matmul(hs[t], Wh, a_t, accumulate=True)  # + h_(t-1) Wh: the step's recurrence
        _cell(a_t, cs[t], hs[t + 1], cs[t + 1])
    return a, hs, cs


def _time_major(a):
    return np.ascontiguousarray(np.swapaxes(a, 0, 1), dtype=np.float64)


# The public functions: NumPy arrays in, NumPy arrays out.

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """next_c = f ⊙ prev_c + i ⊙ g;  next_h = o ⊙ tanh(next_c)."""
    prev_c = _to_device(prev_c)
    a = _matmul(_to_device(prev_h), _to_device(Wh),
                _affine(_to_device(x), _to_device(Wx), _to_device(b)), accumulate=True)
    next_h = cuda.device_array(prev_c.shape, dtype=np.float64)
    next_c = cuda.device_array(prev_c.shape, dtype=np.float64)
    _cell(a, prev_c, next_h, next_c)
    return next_h.copy_to_host(), next_c.copy_to_host()


def lstm_step_backward(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    """dc = dnext_c + dnext_h ⊙ o ⊙ (1 - tanh²(next_c)); dprev_c = dc ⊙ f; then da."""
    x, prev_h, prev_c = _to_device(x), _to_device(prev_h), _to_device(prev_c)
    Wx, Wh = _to_device(Wx), _to_device(Wh)
    a = _matmul(prev_h, Wh, _affine(x, Wx, _to_device(b)), accumulate=True)
    no_carry = cuda.to_device(np.zeros(prev_c.shape))
    da = cuda.device_array(a.shape, dtype=np.float64)
    dprev_c = _cell_backward(a, prev_c, _to_device(dnext_h), no_carry, _to_device(dnext_c), da)
    grads = (_matmul(da, _transpose(Wx)), _matmul(da, _transpose(Wh)), dprev_c,
             _matmul(_transpose(x), da), _matmul(_transpose(prev_h), da), _column_sum(da))
    return tuple(g.copy_to_host() for g in grads)


def lstm_forward(x, h0, Wx, Wh, b):
    """h[:, t] = h_t for t = 0 .. T - 1, from h0 and a zero initial cell."""
    _, hs, _ = _sequence(_to_device(_time_major(x)), _to_device(h0), _to_device(Wx),
                         _to_device(Wh), _to_device(b))
    return _time_major(hs.copy_to_host()[1:])


def lstm_backward(dh, x, h0, Wx, Wh, b):
    """Backprop through time; returns (dx, dh0, dWx, dWh, db)."""
    n, steps, d = x.shape
    xs, Wx, Wh = _to_device(_time_major(x)), _to_device(Wx), _to_device(Wh)
    a, hs, cs = _sequence(xs, _to_device(h0), Wx, Wh, _to_device(b))
    dhs = _to_device(_time_major(dh))
    size = hs.shape[2]
    da = cuda.device_array(a.shape, dtype=np.float64)
    Wh_t = _transpose(Wh)
    dnext_h = cuda.to_device(np.zeros((n, size)))  # nothing flows in after the last step
    dnext_c = cuda.to_device(np.zeros((n, size)))
    for t in reversed(range(steps)):
        da_t = da[t * n:(t + 1) * n]
        dnext_c = _cell_backward(a[t * n:(t + 1) * n], cs[t], dhs[t], dnext_h, dnext_c, da_t)
        dnext_h = _matmul(da_t, Wh_t)  # what step t sends back to h_(t-1)
    # the shared weights: one product over every step at once
    dxs = _matmul(da, _transpose(Wx))
    dWx = _matmul(_transpose(xs.reshape(steps * n, d)), da)
    dWh = _matmul(_transpose(hs[:steps].reshape(steps * n, size)), da)
    dx = _time_major(dxs.copy_to_host().reshape(steps, n, d))
    return dx, dnext_h.copy_to_host(), dWx.copy_to_host(), dWh.copy_to_host(), \
        _column_sum(da).copy_to_host()
