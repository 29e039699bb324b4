"""The cnn layers compiled with Numba: the same functions as reference.py.

A convolution is a matrix product in disguise. Lay out every window an image's filters
see as one column of a matrix (im2col: C·HH·WW rows, one column per output position);
then all filters at all positions are one product, out[n] = W (F, C·HH·WW) @ cols[n]. A
BLAS library, called through NumPy's `@`, runs that product near the CPU's peak, far
faster than any loop Numba compiles; so the products stay NumPy calls, and Numba compiles
the gathering of the windows (im2col) and its reverse (col2im: each column's gradient
added back onto the inputs it came from), with the images and channels spread over the
cores (`prange`). Padding is never built: a tap that falls outside the image reads 0.

Images go a chunk at a time, so that their columns (C·HH·WW numbers per output position,
`_CHUNK_BYTES` at most) stay in the CPU's cache between being written and multiplied.
Pooling does no arithmetic but comparisons, so it stays one loop over the windows, a plane
per thread. Ties in a pooling window go to the first maximum (graded inputs have none).
"""

import numpy as np
from numba import njit, prange
from tutor_lessons import jitmath  # noqa: F401  (its thread pool setting: see there)

_CHUNK_BYTES = 4 << 20  # the columns of a chunk of images: a few MiB, within the L2/L3 cache


@njit(cache=True)
def _valid(o, stride, pad, size, n_out):
    """The outputs i whose tap at offset o reads a real (not padding) input:
    0 <= i·stride + o − pad < size, as a range lo <= i < hi."""
    lo = max(0, (pad - o + stride - 1) // stride)
    hi = min(n_out, (size - 1 + pad - o) // stride + 1)
    return lo, max(lo, hi)


@njit(cache=True, parallel=True)
def _im2col(x, hh, ww, stride, pad, ho, wo, cols):
    """cols[n, (c, p, q), i·wo + j] = x[n, c, i·stride + p − pad, j·stride + q − pad],
    0 where that is padding."""
    n_, c_, h, w = x.shape
    for nc in prange(n_ * c_):  # one (image, channel) plane per iteration: independent
        n, c = nc // c_, nc % c_
        for p in range(hh):
            i_lo, i_hi = _valid(p, stride, pad, h, ho)
            for q in range(ww):
                j_lo, j_hi = _valid(q, stride, pad, w, wo)
                row = cols[n, (c * hh + p) * ww + q].reshape(ho, wo)
                row[:i_lo] = 0.0
                row[i_hi:] = 0.0
                for i in range(i_lo, i_hi):
                    r = i * stride + p - pad
                    row[i, :j_lo] = 0.0
                    row[i, j_hi:] = 0.0
                    for j in range(j_lo, j_hi):  # with stride 1, a contiguous copy
                        row[i, j] = x[n, c, r, j * stride + q - pad]


@njit(cache=True, parallel=True)
def _col2im(dcols, hh, ww, stride, pad, ho, wo, dx):
    """dx[n, c, r, s] = Σ of dcols[n, (c, p, q), i·wo + j] over the taps that read
    x[n, c, r, s]: windows overlap, so the gradients of every window add up."""
    n_, c_, h, w = dx.shape
    for nc in prange(n_ * c_):  # each plane of dx is written by its own iteration only
        n, c = nc // c_, nc % c_
        dx[n, c] = 0.0
        for p in range(hh):
            i_lo, i_hi = _valid(p, stride, pad, h, ho)
            for q in range(ww):
                j_lo, j_hi = _valid(q, stride, pad, w, wo)
                row = dcols[n, (c * hh + p) * ww + q].reshape(ho, wo)
                for i in range(i_lo, i_hi):
                    r = i * stride + p - pad
                    for j in range(j_lo, j_hi):
                        dx[n, c, r, j * stride + q - pad] += row[i, j]


@njit(cache=True, parallel=True)
def _max_pool_forward(x, ph, pw, stride, out):
    """out[n, c, i, j] = max of the window at (i·stride, j·stride)."""
    n_, c_, ho, wo = out.shape
    for nc in prange(n_ * c_):
        n, c = nc // c_, nc % c_
        for i in range(ho):
            for j in range(wo):
                best = x[n, c, i * stride, j * stride]
                for r in range(i * stride, i * stride + ph):
                    for s in range(j * stride, j * stride + pw):
                        best = max(best, x[n, c, r, s])
                out[n, c, i, j] = best


@njit(cache=True, parallel=True)
def _max_pool_backward(dout, x, ph, pw, stride, dx):
    """dx[argmax of window (i, j)] += dout[n, c, i, j]; overlapping windows add up."""
    n_, c_, ho, wo = dout.shape
    for nc in prange(n_ * c_):  # each plane of dx is written by its own iteration only
        n, c = nc // c_, nc % c_
        dx[n, c] = 0.0
        for i in range(ho):
            for j in range(wo):
                r0, s0 = i * stride, j * stride
                br, bs = r0, s0
                for r in range(r0, r0 + ph):
                    for s in range(s0, s0 + pw):
                        if x[n, c, r, s] > x[n, c, br, bs]:  # the first maximum wins a tie
                            br, bs = r, s
                dx[n, c, br, bs] += dout[n, c, i, j]


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _out_size(size, window, stride, pad=0):
    return 1 + (size + 2 * pad - window) // stride


def _chunks(x, w, ho, wo):
    """Slices of the batch, each with a buffer for its columns (chunk, C·HH·WW, ho·wo)."""
    taps = w.shape[1] * w.shape[2] * w.shape[3]
    chunk = max(1, min(x.shape[0], _CHUNK_BYTES // (8 * taps * ho * wo)))
    buffer = np.empty((chunk, taps, ho * wo))
    for n0 in range(0, x.shape[0], chunk):
        n1 = min(n0 + chunk, x.shape[0])
        yield slice(n0, n1), buffer[:n1 - n0]


def conv_forward(x, w, b, stride=1, pad=0):
    """out = b + cross-correlation of the zero-padded x with each filter, moved by stride."""
    x, w, stride, pad = _f64(x), _f64(w), int(stride), int(pad)
    ho = _out_size(x.shape[2], w.shape[2], stride, pad)
    wo = _out_size(x.shape[3], w.shape[3], stride, pad)
    out = np.empty((x.shape[0], w.shape[0], ho * wo))
    w_rows = w.reshape(w.shape[0], -1)  # (F, C·HH·WW): one filter per row
    for batch, cols in _chunks(x, w, ho, wo):
        _im2col(x[batch], w.shape[2], w.shape[3], stride, pad, ho, wo, cols)
        np.matmul(w_rows, cols, out=out[batch])  # every filter at every position (BLAS)
    out += _f64(b)[:, None]
    return out.reshape(x.shape[0], w.shape[0], ho, wo)


def conv_backward(dout, x, w, b, stride=1, pad=0):
    """dx, dw, db of conv_forward: with out[n] = W cols[n] + b, dW = Σ_n dout[n] cols[n]ᵀ,
    dcols[n] = Wᵀ dout[n] (then col2im gives dx), db = Σ of dout over all but the filters."""
    x, w, stride, pad = _f64(x), _f64(w), int(stride), int(pad)
    ho, wo = dout.shape[2], dout.shape[3]
    g = _f64(dout).reshape(dout.shape[0], dout.shape[1], ho * wo)
    w_rows = w.reshape(w.shape[0], -1)
    dx, dw = np.empty(x.shape), np.zeros(w_rows.shape)
    for batch, cols in _chunks(x, w, ho, wo):
        _im2col(x[batch], w.shape[2], w.shape[3], stride, pad, ho, wo, cols)
        dw += np.matmul(g[batch], cols.transpose(0, 2, 1)).sum(axis=0)  # (BLAS)
        np.matmul(w_rows.T, g[batch], out=cols)  # dcols, in place of the columns (BLAS)
        _col2im(cols, w.shape[2], w.shape[3], stride, pad, ho, wo, dx[batch])
    return dx, dw.reshape(w.shape), g.sum(axis=(0, 2))


def max_pool_forward(x, pool_height=2, pool_width=2, stride=2):
    """out[n, c, i, j] = max of x over the window at (i·stride, j·stride)."""
    x = _f64(x)
    ho = _out_size(x.shape[2], pool_height, stride)
    wo = _out_size(x.shape[3], pool_width, stride)
    out = np.empty((x.shape[0], x.shape[1], ho, wo))
    _max_pool_forward(x, int(pool_height), int(pool_width), int(stride), out)
    return out


def max_pool_backward(dout, x, pool_height=2, pool_width=2, stride=2):
    """Each window's dout goes to its maximum; overlapping windows add up."""
    x = _f64(x)
    dx = np.empty(x.shape)
    _max_pool_backward(_f64(dout), x, int(pool_height), int(pool_width), int(stride), dx)
    return dx
