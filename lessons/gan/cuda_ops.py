"""The GAN losses as one fused CUDA kernel (numba-cuda): the same functions as reference.py.

Every loss here is ± a mean binary cross-entropy against a target, so one kernel does them
all in a single pass over the logits: each thread walks its elements (a grid-stride loop),
writes dlogits = scale · (σ(s) − t) and adds up its loss terms; the threads of a block
then sum their totals in shared memory, halving the active threads each round, and thread
0 writes the block's sum. The host adds the few block sums. A constant target is a
one-element array read with stride 0. Without a GPU the kernel runs on Numba's CUDA
simulator (see tutor.accel).
"""

import math

import numpy as np

from tutor.accel import cuda as _numba_cuda

cuda = _numba_cuda()
THREADS = 128  # threads per block: a power of 2, for the halving reduction
MAX_BLOCKS = 1024  # enough to fill a GPU; past that, threads loop over more elements


@cuda.jit(device=True)
def _sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), with e^(−|x|) so that exp never overflows."""
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0.0 else z / (1.0 + z)


@cuda.jit
def _bce_kernel(logits, targets, step, scale, dlogits, block_sums):
    """dlogits[i] = scale · (σ(s) − t) and, per block, Σ max(s, 0) − s·t + log(1 + e^(−|s|))."""
    partial = cuda.shared.array(THREADS, np.float64)
    tid = cuda.threadIdx.x
    total = 0.0
    for i in range(cuda.grid(1), logits.size, cuda.gridsize(1)):
        s, t = logits[i], targets[i * step]
        total += max(s, 0.0) - s * t + math.log1p(math.exp(-abs(s)))
        dlogits[i] = scale * (_sigmoid(s) - t)
    partial[tid] = total
    cuda.syncthreads()  # every thread's total is in shared memory
    half = THREADS // 2
    while half > 0:
        if tid < half:
            partial[tid] += partial[tid + half]
        cuda.syncthreads()  # this round's sums are written before the next reads them
        half //= 2
    if tid == 0:
        block_sums[cuda.blockIdx.x] = partial[0]


def _mean_bce(logits, targets, sign=1.0):
    """sign · mean BCE(logits, targets) and its gradient; targets may be a scalar."""
    logits = np.ascontiguousarray(logits, dtype=np.float64)
    targets = np.ascontiguousarray(targets, dtype=np.float64).reshape(-1)
    n = logits.size
    step = 0 if targets.size == 1 else 1  # a scalar target: every i reads targets[0]
    scale = sign / n
    blocks = max(1, min(MAX_BLOCKS, math.ceil(n / THREADS)))
    dlogits = cuda.device_array(n, dtype=np.float64)
    block_sums = cuda.device_array(blocks, dtype=np.float64)
    _bce_kernel[blocks, THREADS](cuda.to_device(logits), cuda.to_device(targets), step, scale,
                                 dlogits, block_sums)
    total = float(block_sums.copy_to_host().sum())
    return scale * total, dlogits.copy_to_host().reshape(logits.shape)


def bce_with_logits(logits, targets):
    """loss = mean of max(s, 0) − s·t + log(1 + e^(−|s|)); dlogits = (σ(s) − t) / N."""
    return _mean_bce(logits, targets)


def discriminator_loss(logits_real, logits_fake):
    """loss = mean BCE(real, 1) + mean BCE(fake, 0), each mean over its own batch."""
    loss_real, dreal = _mean_bce(logits_real, 1.0)
    loss_fake, dfake = _mean_bce(logits_fake, 0.0)
    return loss_real + loss_fake, dreal, dfake


def generator_loss(logits_fake):
    """Non-saturating: loss = mean BCE(fake, 1) = −mean log σ(s); dfake = (σ(s) − 1) / N."""
    return _mean_bce(logits_fake, 1.0)


def minimax_generator_loss(logits_fake):
    """Saturating: loss = mean log(1 − σ(s)) = −mean BCE(fake, 0); dfake = −σ(s) / N."""
    return _mean_bce(logits_fake, 0.0, sign=-1.0)
