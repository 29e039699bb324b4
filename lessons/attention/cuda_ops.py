"""Attention as fused CUDA kernels (numba-cuda): the same functions as reference.py.

The forward kernel is the idea behind FlashAttention: a block of TILE threads owns a tile of
TILE queries, one query per thread, and streams the keys and values through shared memory a
tile at a time. Each thread keeps an online softmax for its query: a running maximum m, a
running sum l = Σ e^(s − m) and an accumulator a = Σ e^(s − m) v, all rescaled by e^(m − m′)
whenever the maximum grows to m′, so the (T, T) matrix of weights is never stored; at the end
out = a / l, and lse = m + log l is kept for the backward pass. The backward kernels
recompute each weight as P = e^(s − lse): one kernel gives dq (a thread per query), one
gives dk and dv (a thread per key), after a small kernel forms δ = rowsum(dout ⊙ out).

Widths of any size are handled in chunks of TILE columns: scores add up over chunks of the
head's width, and a block's grid z index picks which TILE columns of the output it writes.
Heads are column blocks of width E / heads, so multi-head attention launches the same
kernels with more blocks; its projections use a tiled matrix product. Without a GPU the
kernels run on Numba's CUDA simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
TILE = 32  # queries (or keys) per block, one per thread; also the width of a column chunk
MM_TILE = 16  # the matrix product's blocks are MM_TILE x MM_TILE threads


@cuda.jit
def _forward_kernel(q, k, v, heads, scale, causal, out, lse):
    """out_i = Σ_j softmax_j(q_i · k_j · scale) v_j for TILE queries and TILE value columns."""
    q_s = cuda.shared.array((TILE, TILE), np.float64)  # [column, query]
    k_s = cuda.shared.array((TILE, TILE), np.float64)  # [key, column]
    v_s = cuda.shared.array((TILE, TILE), np.float64)  # [key, column]
    s = cuda.local.array(TILE, np.float64)
    acc = cuda.local.array(TILE, np.float64)
    t = cuda.threadIdx.x
    i0 = cuda.blockIdx.x * TILE
    i = i0 + t
    n, h = cuda.blockIdx.y // heads, cuda.blockIdx.y % heads
    tq, tk = q.shape[1], k.shape[1]
    d, dv = q.shape[2] // heads, v.shape[2] // heads
    c0 = cuda.blockIdx.z * TILE  # this block writes value columns c0 .. c0 + TILE - 1
    vw = min(TILE, dv - c0)
    m, l = -math.inf, 0.0
    for c in range(TILE):
        acc[c] = 0.0
    kend = min(tk, i0 + TILE) if causal else tk  # later keys are masked for every query here
    for k0 in range(0, kend, TILE):
        for j in range(TILE):
            s[j] = 0.0
        for d0 in range(0, d, TILE):  # s_ij = Σ over chunks of the head's width
            col = h * d + d0 + t
            for r in range(TILE):  # coalesced: thread t reads column t of row r
                q_s[t, r] = q[n, i0 + r, col] if i0 + r < tq and d0 + t < d else 0.0
                k_s[r, t] = k[n, k0 + r, col] if k0 + r < tk and d0 + t < d else 0.0
            cuda.syncthreads()
            for j in range(TILE):
                dot = 0.0
                for c in range(min(TILE, d - d0)):
                    dot += q_s[c, t] * k_s[j, c]
                s[j] += dot
            cuda.syncthreads()
        # online softmax: fold this tile's keys into m, l and acc
        tile_max = -math.inf
        for j in range(TILE):
            if k0 + j < tk and (not causal or k0 + j <= i):
                s[j] *= scale
                tile_max = max(tile_max, s[j])
            else:
                s[j] = -math.inf  # masked, or past the last key
        m_new = max(m, tile_max)
        alpha = math.exp(m - m_new) if m > -math.inf else 0.0
        l *= alpha
        for c in range(TILE):
            acc[c] *= alpha
        for j in range(TILE):
            s[j] = math.exp(s[j] - m_new) if s[j] > -math.inf else 0.0
            l += s[j]
        m = m_new
        for r in range(TILE):
            col = h * dv + c0 + t
            v_s[r, t] = v[n, k0 + r, col] if k0 + r < tk and c0 + t < dv else 0.0
        cuda.syncthreads()
        for j in range(TILE):
            for c in range(vw):
                acc[c] += s[j] * v_s[j, c]
        cuda.syncthreads()
    if i < tq:
        for c in range(vw):
            out[n, i, h * dv + c0 + c] = acc[c] / l
        if cuda.blockIdx.z == 0:
            lse[n, h, i] = m + math.log(l)


@cuda.jit
def _delta_kernel(dout, out, heads, delta):
    """delta[n, h, i] = dout_i · out_i over head h's columns: rowsum(dP ⊙ P)."""
    row = cuda.grid(1)
    nb, tq = out.shape[0], out.shape[1]
    dv = out.shape[2] // heads
    if row < nb * heads * tq:
        n, h, i = row // (heads * tq), (row // tq) % heads, row % tq
        total = 0.0
        for c in range(h * dv, (h + 1) * dv):
            total += dout[n, i, c] * out[n, i, c]
        delta[n, h, i] = total


@cuda.jit(device=True)
def _scores(q, k, n, h, d, i0, j0, a_s, b_s, s, by_key):
    """s[r] = q_i · k_j over the head's width, for this thread's query or key.

    by_key False: this thread is query i0 + t and s[r] is its score with key j0 + r.
    by_key True: this thread is key j0 + t and s[r] is the score of query i0 + r with it.
    """
    t = cuda.threadIdx.x
    tq, tk = q.shape[1], k.shape[1]
    for r in range(TILE):
        s[r] = 0.0
    for d0 in range(0, d, TILE):
        col = h * d + d0 + t
        for r in range(TILE):  # a_s: this thread's side, [column, thread]; b_s: [row, column]
            if by_key:
                a_s[t, r] = k[n, j0 + r, col] if j0 + r < tk and d0 + t < d else 0.0
                b_s[r, t] = q[n, i0 + r, col] if i0 + r < tq and d0 + t < d else 0.0
            else:
                a_s[t, r] = q[n, i0 + r, col] if i0 + r < tq and d0 + t < d else 0.0
                b_s[r, t] = k[n, j0 + r, col] if j0 + r < tk and d0 + t < d else 0.0
        cuda.syncthreads()
        for r in range(TILE):
            dot = 0.0
            for c in range(min(TILE, d - d0)):
                dot += a_s[c, t] * b_s[r, c]
            s[r] += dot
        cuda.syncthreads()


@cuda.jit
def _dq_kernel(dout, q, k, v, lse, delta, heads, scale, causal, dq):
    """dq_i = Σ_j P_ij (dP_ij − δ_i) k_j · scale, for TILE queries and TILE columns of dq."""
    a_s = cuda.shared.array((TILE, TILE), np.float64)
    b_s = cuda.shared.array((TILE, TILE), np.float64)
    s = cuda.local.array(TILE, np.float64)
    dp = cuda.local.array(TILE, np.float64)
    acc = cuda.local.array(TILE, np.float64)
    t = cuda.threadIdx.x
    i0 = cuda.blockIdx.x * TILE
    i = i0 + t
    n, h = cuda.blockIdx.y // heads, cuda.blockIdx.y % heads
    tq, tk = q.shape[1], k.shape[1]
    d, dv = q.shape[2] // heads, v.shape[2] // heads
    c0 = cuda.blockIdx.z * TILE
    for c in range(TILE):
        acc[c] = 0.0
    kend = min(tk, i0 + TILE) if causal else tk
    for k0 in range(0, kend, TILE):
        _scores(q, k, n, h, d, i0, k0, a_s, b_s, s, False)
        _scores(dout, v, n, h, dv, i0, k0, a_s, b_s, dp, False)  # dP_ij = dout_i · v_j
        for j in range(TILE):
            if i < tq and k0 + j < tk and (not causal or k0 + j <= i):
                p = math.exp(s[j] * scale - lse[n, h, i])
                s[j] = p * (dp[j] - delta[n, h, i]) * scale  # dS_ij, with the score's scale
            else:
                s[j] = 0.0
        for r in range(TILE):
            col = h * d + c0 + t
            b_s[r, t] = k[n, k0 + r, col] if k0 + r < tk and c0 + t < d else 0.0
        cuda.syncthreads()
        for j in range(TILE):
            for c in range(min(TILE, d - c0)):
                acc[c] += s[j] * b_s[j, c]
        cuda.syncthreads()
    if i < tq:
        for c in range(min(TILE, d - c0)):
            dq[n, i, h * d + c0 + c] = acc[c]


@cuda.jit
def _dkdv_kernel(dout, q, k, v, lse, delta, heads, scale, causal, dk, dv_out):
    """For TILE keys: dv_j = Σ_i P_ij dout_i (blocks z < dv chunks), else dk_j = Σ_i dS_ij q_i."""
    a_s = cuda.shared.array((TILE, TILE), np.float64)
    b_s = cuda.shared.array((TILE, TILE), np.float64)
    s = cuda.local.array(TILE, np.float64)
    dp = cuda.local.array(TILE, np.float64)
    acc = cuda.local.array(TILE, np.float64)
    t = cuda.threadIdx.x
    j0 = cuda.blockIdx.x * TILE
    j = j0 + t
    n, h = cuda.blockIdx.y // heads, cuda.blockIdx.y % heads
    tq, tk = q.shape[1], k.shape[1]
    d, dv = q.shape[2] // heads, v.shape[2] // heads
    v_chunks = (dv + TILE - 1) // TILE
    want_dv = cuda.blockIdx.z < v_chunks  # the same for the whole block
    c0 = cuda.blockIdx.z * TILE if want_dv else (cuda.blockIdx.z - v_chunks) * TILE
    width = min(TILE, dv - c0) if want_dv else min(TILE, d - c0)
    for c in range(TILE):
        acc[c] = 0.0
    for i0 in range(j0 if causal else 0, tq, TILE):  # causal: queries before j0 see no key here
        _scores(q, k, n, h, d, i0, j0, a_s, b_s, s, True)
        if not want_dv:
            _scores(dout, v, n, h, dv, i0, j0, a_s, b_s, dp, True)
        for r in range(TILE):
            i = i0 + r
            if i < tq and j < tk and (not causal or j <= i):
                p = math.exp(s[r] * scale - lse[n, h, i])
                s[r] = p if want_dv else p * (dp[r] - delta[n, h, i]) * scale
            else:
                s[r] = 0.0
        for r in range(TILE):  # rows of dout (for dv) or of q (for dk), columns c0 + t
            if want_dv:
                b_s[r, t] = dout[n, i0 + r, h * dv + c0 + t] if i0 + r < tq and c0 + t < dv \
                    else 0.0
            else:
                b_s[r, t] = q[n, i0 + r, h * d + c0 + t] if i0 + r < tq and c0 + t < d else 0.0
        cuda.syncthreads()
        for r in range(TILE):
            for c in range(width):
                acc[c] += s[r] * b_s[r, c]
        cuda.syncthreads()
    if j < tk:
        for c in range(width):
            if want_dv:
                dv_out[n, j, h * dv + c0 + c] = acc[c]
            else:
                dk[n, j, h * d + c0 + c] = acc[c]


@cuda.jit
def _matmul_kernel(a, b, ta, tb, accumulate, out):
    """out (+)= A @ B with A = a or aᵀ and B = b or bᵀ; 16 x 16 tiles in shared memory."""
    a_tile = cuda.shared.array((MM_TILE, MM_TILE), np.float64)
    b_tile = cuda.shared.array((MM_TILE, MM_TILE), np.float64)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    i = cuda.blockIdx.y * MM_TILE + ty
    j = cuda.blockIdx.x * MM_TILE + tx
    n, m = out.shape
    inner = a.shape[0] if ta else a.shape[1]
    acc = 0.0
    for k0 in range(0, inner, MM_TILE):
        kk = k0 + tx  # each thread fetches one element of each tile; zeros pad the edges
        if i < n and kk < inner:
            a_tile[ty, tx] = a[kk, i] if ta else a[i, kk]
        else:
            a_tile[ty, tx] = 0.0
        kk = k0 + ty
        if kk < inner and j < m:
            b_tile[ty, tx] = b[j, kk] if tb else b[kk, j]
        else:
            b_tile[ty, tx] = 0.0
        cuda.syncthreads()
        for c in range(MM_TILE):
            acc += a_tile[ty, c] * b_tile[c, tx]
        cuda.syncthreads()
    if i < n and j < m:
        out[i, j] = out[i, j] + acc if accumulate else acc


# Device-side building blocks: device arrays in, device arrays out.

def _to_device(a):
    return cuda.to_device(np.ascontiguousarray(a, dtype=np.float64))


def _chunks(width):
    return max(1, math.ceil(width / TILE))


def _attend(q, k, v, heads, causal):
    """(out, lse) for every head, on the device."""
    nb, tq = q.shape[0], q.shape[1]
    out = cuda.device_array((nb, tq, v.shape[2]), dtype=np.float64)
    lse = cuda.device_array((nb, heads, tq), dtype=np.float64)
    grid = (math.ceil(tq / TILE), nb * heads, _chunks(v.shape[2] // heads))
    scale = 1.0 / math.sqrt(q.shape[2] // heads)
    _forward_kernel[grid, TILE](q, k, v, heads, scale, causal, out, lse)
    return out, lse


def _attend_backward(dout, q, k, v, heads, causal):
    """(dq, dk, dv, out) on the device."""
    out, lse = _attend(q, k, v, heads, causal)
    nb, tq, tk = q.shape[0], q.shape[1], k.shape[1]
    d, dv = q.shape[2] // heads, v.shape[2] // heads
    delta = cuda.device_array((nb, heads, tq), dtype=np.float64)
    rows = nb * heads * tq
    _delta_kernel[math.ceil(rows / TILE), TILE](dout, out, heads, delta)
    scale = 1.0 / math.sqrt(d)
    dq = cuda.device_array(q.shape, dtype=np.float64)
    dk = cuda.device_array(k.shape, dtype=np.float64)
    dv_out = cuda.device_array(v.shape, dtype=np.float64)
    _dq_kernel[(math.ceil(tq / TILE), nb * heads, _chunks(d)), TILE](
        dout, q, k, v, lse, delta, heads, scale, causal, dq)
    _dkdv_kernel[(math.ceil(tk / TILE), nb * heads, _chunks(dv) + _chunks(d)), TILE](
        dout, q, k, v, lse, delta, heads, scale, causal, dk, dv_out)
    return dq, dk, dv_out, out


def _mm(a, b, ta=False, tb=False, out=None):
    """A @ B for 2-D device arrays (A = aᵀ if ta, B = bᵀ if tb); adds into `out` if given."""
    n = a.shape[1] if ta else a.shape[0]
    m = b.shape[0] if tb else b.shape[1]
    accumulate = out is not None
    if out is None:
        out = cuda.device_array((n, m), dtype=np.float64)
    grid = (math.ceil(m / MM_TILE), math.ceil(n / MM_TILE))
    _matmul_kernel[grid, (MM_TILE, MM_TILE)](a, b, ta, tb, accumulate, out)
    return out


def _flat(a):
    """(N, T, E) -> (N·T, E), on the device, without copying."""
    return a.reshape(a.shape[0] * a.shape[1], a.shape[2])


def _project(x, w):
    return _mm(_flat(x), w).reshape(x.shape[0], x.shape[1], w.shape[1])


# The public functions: NumPy arrays in, NumPy arrays out.

def attention_forward(q, k, v, causal=False):
    """out = softmax(q kᵀ / √d) v, over keys; q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv)."""
    return _attend(_to_device(q), _to_device(k), _to_device(v), 1, bool(causal))[0].copy_to_host()


def attention_backward(dout, q, k, v, causal=False):
    """dv = Pᵀ dout, dP = dout vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS k/√d, dk = dSᵀ q/√d."""
    grads = _attend_backward(_to_device(dout), _to_device(q), _to_device(k), _to_device(v), 1,
                             bool(causal))
    return tuple(g.copy_to_host() for g in grads[:3])


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Q, K, V = x Wq, x Wk, x Wv; head j attends on its column block; out = concat(heads) Wo."""
    x = _to_device(x)
    q, k, v = (_project(x, _to_device(w)) for w in (Wq, Wk, Wv))
    concat, _ = _attend(q, k, v, int(num_heads), bool(causal))
    return _project(concat, _to_device(Wo)).copy_to_host()


def multihead_attention_backward(dout, x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    """Back through Wo, each head, then the projections; returns (dx, dWq, dWk, dWv, dWo)."""
    x, dout = _to_device(x), _to_device(dout)
    wq, wk, wv, wo = (_to_device(w) for w in (Wq, Wk, Wv, Wo))
    q, k, v = (_project(x, w) for w in (wq, wk, wv))
    dconcat = _mm(_flat(dout), wo, tb=True).reshape(*dout.shape)  # dout @ Woᵀ
    dq, dk, dv, concat = _attend_backward(dconcat, q, k, v, int(num_heads), bool(causal))
    dwo = _mm(_flat(concat), _flat(dout), ta=True)  # concatᵀ dout over every token
    xf = _flat(x)
    dwq, dwk, dwv = (_mm(xf, _flat(g), ta=True) for g in (dq, dk, dv))
    dx = _mm(_flat(dq), wq, tb=True)
    _mm(_flat(dk), wk, tb=True, out=dx)  # x feeds all three projections: the paths add up
    _mm(_flat(dv), wv, tb=True, out=dx)
    grads = (dx.reshape(*x.shape), dwq, dwk, dwv, dwo)
    return tuple(g.copy_to_host() for g in grads)
