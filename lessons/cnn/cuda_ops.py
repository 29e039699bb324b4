"""The cnn layers as CUDA kernels (numba-cuda): the same functions as reference.py.

Every kernel gathers: each thread (or block) computes one output element completely and
writes it once, so no two threads ever write the same place and no atomics are needed.

- conv forward: one thread per output element, a direct convolution over its window.
- conv dx: one thread per input element. It gathers dout[n, f, i, j] · w[f, c, p, q] from
  every window (i, j) that read it: the full (true) convolution of dout with the filters,
  which is a cross-correlation of the zero-padded dout with the filters rotated 180°.
- conv dw and db: one block per weight (or per filter). Its threads each sum a strided
  share of the N · Ho · Wo terms, then add their partial sums in shared memory.
- pool forward: one thread per output element.
- pool backward: one thread per input element. It visits the windows that contain it
  and adds dout of those whose maximum it is, so overlapping windows need no atomics.

Ties in a pooling window go to the first maximum (graded inputs have none). Without a GPU
the kernels run on Numba's CUDA simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
THREADS = 128  # threads per block; a power of two, for the reductions
TERMS_PER_THREAD = 16  # a sum gets only as many threads as keep each about this busy


@cuda.jit
def _conv_forward_kernel(x, w, b, stride, pad, out):
    """out[n, f, i, j] = b[f] + Σ_cpq x[n, c, i·s + p - pad, j·s + q - pad] · w[f, c, p, q]."""
    k = cuda.grid(1)
    n_, f_, ho, wo = out.shape
    c_, h, wd = x.shape[1], x.shape[2], x.shape[3]
    hh, ww = w.shape[2], w.shape[3]
    if k < n_ * f_ * ho * wo:
        j = k % wo
        i = (k // wo) % ho
        f = (k // (wo * ho)) % f_
        n = k // (wo * ho * f_)
        acc = b[f]
        for c in range(c_):
            for p in range(hh):
                r = i * stride + p - pad
                if 0 <= r < h:
                    for q in range(ww):
                        s = j * stride + q - pad
                        if 0 <= s < wd:
                            acc += x[n, c, r, s] * w[f, c, p, q]
        out[n, f, i, j] = acc


@cuda.jit
def _conv_dx_kernel(dout, w, stride, pad, dx):
    """dx[n, c, r, s] = Σ dout[n, f, i, j] · w[f, c, p, q] over the windows (i, j) that read
    (r, s) at offset (p, q) = (r + pad - i·s, s + pad - j·s)."""
    k = cuda.grid(1)
    n_, c_, h, wd = dx.shape
    f_, ho, wo = dout.shape[1], dout.shape[2], dout.shape[3]
    hh, ww = w.shape[2], w.shape[3]
    if k < n_ * c_ * h * wd:
        s = k % wd
        r = (k // wd) % h
        c = (k // (wd * h)) % c_
        n = k // (wd * h * c_)
        acc = 0.0
        for f in range(f_):
            for p in range(hh):
                t = r + pad - p  # = i · stride for the window that reads r at row p
                if t >= 0 and t % stride == 0 and t // stride < ho:
                    i = t // stride
                    for q in range(ww):
                        u = s + pad - q
                        if u >= 0 and u % stride == 0 and u // stride < wo:
                            acc += dout[n, f, i, u // stride] * w[f, c, p, q]
        dx[n, c, r, s] = acc


@cuda.jit(device=True)
def _row_sum(partial, value):
    """The sum of `value` over one row of the block (the threads with this threadIdx.y),
    blockDim.x of them, a power of two: a tree in shared memory that halves the active
    threads each round. Every thread of the block must call this."""
    tx = cuda.threadIdx.x
    row = cuda.threadIdx.y * cuda.blockDim.x
    partial[row + tx] = value
    cuda.syncthreads()  # every partial sum is in shared memory
    step = cuda.blockDim.x // 2
    while step > 0:  # the same trip count in every thread: all of them reach each barrier
        if tx < step:
            partial[row + tx] += partial[row + tx + step]
        cuda.syncthreads()
        step //= 2
    return partial[row]


@cuda.jit
def _conv_dw_kernel(dout, x, stride, pad, dw):
    """Row y of block b computes weight k = b · blockDim.y + y:
    dw[f, c, p, q] = Σ_n Σ_i Σ_j dout[n, f, i, j] · x[n, c, i·s + p - pad, j·s + q - pad]."""
    partial = cuda.shared.array(THREADS, np.float64)
    k = cuda.blockIdx.x * cuda.blockDim.y + cuda.threadIdx.y
    f_, c_, hh, ww = dw.shape
    n_, ho, wo = dout.shape[0], dout.shape[2], dout.shape[3]
    h, wd = x.shape[2], x.shape[3]
    q = k % ww
    p = (k // ww) % hh
    c = (k // (ww * hh)) % c_
    f = k // (ww * hh * c_)
    acc = 0.0
    if k < dw.size:  # rows past the last weight only take part in the barriers
        for m in range(cuda.threadIdx.x, n_ * ho * wo, cuda.blockDim.x):  # this thread's share
            j = m % wo
            i = (m // wo) % ho
            n = m // (wo * ho)
            r = i * stride + p - pad
            s = j * stride + q - pad
            if 0 <= r < h and 0 <= s < wd:
                acc += dout[n, f, i, j] * x[n, c, r, s]
    total = _row_sum(partial, acc)
    if k < dw.size and cuda.threadIdx.x == 0:
        dw[f, c, p, q] = total


@cuda.jit
def _conv_db_kernel(dout, db):
    """Row y of block b computes db[f] = Σ_n Σ_i Σ_j dout[n, f, i, j] for f = b · blockDim.y + y."""
    partial = cuda.shared.array(THREADS, np.float64)
    f = cuda.blockIdx.x * cuda.blockDim.y + cuda.threadIdx.y
    n_, ho, wo = dout.shape[0], dout.shape[2], dout.shape[3]
    acc = 0.0
    if f < db.size:
        for m in range(cuda.threadIdx.x, n_ * ho * wo, cuda.blockDim.x):
            acc += dout[m // (wo * ho), f, (m // wo) % ho, m % wo]
    total = _row_sum(partial, acc)
    if f < db.size and cuda.threadIdx.x == 0:
        db[f] = total


@cuda.jit(device=True)
def _window_argmax(x, n, c, r0, s0, ph, pw):
    """Row and column of the largest value in one window (the first one, on a tie)."""
    best, br, bs = x[n, c, r0, s0], r0, s0
    for r in range(r0, r0 + ph):
        for s in range(s0, s0 + pw):
            if x[n, c, r, s] > best:
                best, br, bs = x[n, c, r, s], r, s
    return br, bs


@cuda.jit
def _max_pool_forward_kernel(x, ph, pw, stride, out):
    """out[n, c, i, j] = max of the window at (i·stride, j·stride), one thread each."""
    k = cuda.grid(1)
    n_, c_, ho, wo = out.shape
    if k < n_ * c_ * ho * wo:
        j = k % wo
        i = (k // wo) % ho
        c = (k // (wo * ho)) % c_
        n = k // (wo * ho * c_)
        r, s = _window_argmax(x, n, c, i * stride, j * stride, ph, pw)
        out[n, c, i, j] = x[n, c, r, s]


@cuda.jit
def _max_pool_backward_kernel(dout, x, ph, pw, stride, dx):
    """dx[n, c, r, s] = Σ dout[n, c, i, j] over the windows (i, j) whose maximum is at (r, s)."""
    k = cuda.grid(1)
    n_, c_, h, wd = dx.shape
    ho, wo = dout.shape[2], dout.shape[3]
    if k < n_ * c_ * h * wd:
        s = k % wd
        r = (k // wd) % h
        c = (k // (wd * h)) % c_
        n = k // (wd * h * c_)
        # the windows that contain row r: i·stride <= r < i·stride + ph
        i_lo = max(0, (r - ph + stride) // stride)
        j_lo = max(0, (s - pw + stride) // stride)
        acc = 0.0
        for i in range(i_lo, min(ho, r // stride + 1)):
            for j in range(j_lo, min(wo, s // stride + 1)):
                br, bs = _window_argmax(x, n, c, i * stride, j * stride, ph, pw)
                if br == r and bs == s:
                    acc += dout[n, c, i, j]
        dx[n, c, r, s] = acc


def _to_device(a):
    return cuda.to_device(np.ascontiguousarray(a, dtype=np.float64))


def _blocks(n):
    return max(1, math.ceil(n / THREADS))


def _reduce_threads(terms):
    """Threads per block for a sum of `terms` numbers: a power of two, at most THREADS,
    with about TERMS_PER_THREAD terms for each (a small sum does not need 128 threads)."""
    threads = 1
    while threads < THREADS and threads * TERMS_PER_THREAD < terms:
        threads *= 2
    return threads


def _out_size(size, window, stride, pad=0):
    return 1 + (size + 2 * pad - window) // stride


def conv_forward(x, w, b, stride=1, pad=0):
    """out = b + cross-correlation of the zero-padded x with each filter, moved by stride."""
    x, w = np.asarray(x), np.asarray(w)
    shape = (x.shape[0], w.shape[0], _out_size(x.shape[2], w.shape[2], stride, pad),
             _out_size(x.shape[3], w.shape[3], stride, pad))
    out = cuda.device_array(shape, dtype=np.float64)
    _conv_forward_kernel[_blocks(out.size), THREADS](
        _to_device(x), _to_device(w), _to_device(b), int(stride), int(pad), out)
    return out.copy_to_host()


def conv_backward(dout, x, w, b, stride=1, pad=0):
    """dx, dw, db of conv_forward: each output's gradient sent back along its window."""
    d_dout, d_x, d_w = _to_device(dout), _to_device(x), _to_device(w)
    dx = cuda.device_array(d_x.shape, dtype=np.float64)
    dw = cuda.device_array(d_w.shape, dtype=np.float64)
    db = cuda.device_array(d_w.shape[0], dtype=np.float64)
    stride, pad = int(stride), int(pad)
    _conv_dx_kernel[_blocks(dx.size), THREADS](d_dout, d_w, stride, pad, dx)
    # a block of THREADS threads: rows of `tx` threads, each row summing one weight's terms
    tx = _reduce_threads(d_dout.shape[0] * d_dout.shape[2] * d_dout.shape[3])
    ty = THREADS // tx
    _conv_dw_kernel[math.ceil(dw.size / ty), (tx, ty)](d_dout, d_x, stride, pad, dw)
    _conv_db_kernel[math.ceil(db.size / ty), (tx, ty)](d_dout, db)
    return dx.copy_to_host(), dw.copy_to_host(), db.copy_to_host()


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    """out[n, c, i, j] = max of x over the window at (i·stride, j·stride)."""
    x = np.asarray(x)
    shape = (x.shape[0], x.shape[1], _out_size(x.shape[2], pool_height, stride),
             _out_size(x.shape[3], pool_width, stride))
    out = cuda.device_array(shape, dtype=np.float64)
    _max_pool_forward_kernel[_blocks(out.size), THREADS](
        _to_device(x), int(pool_height), int(pool_width), int(stride), out)
    return out.copy_to_host()


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    """Each window's dout goes to its maximum; overlapping windows add up."""
    d_x = _to_device(x)
    dx = cuda.device_array(d_x.shape, dtype=np.float64)
    _max_pool_backward_kernel[_blocks(dx.size), THREADS](
        _to_device(dout), d_x, int(pool_height), int(pool_width), int(stride), dx)
    return dx.copy_to_host()
