"""e^x, log(1 + z), σ and tanh for Numba kernels, written so that loops over them vectorize;
and the settings that the lessons' parallel kernels share.

Numba compiles `math.exp` to a call into the C library, one number at a time: about 4.5 ns
each, where NumPy's `np.exp` takes about 1 ns per number because it evaluates a polynomial
on 4 numbers at once with the CPU's vector (SIMD) instructions. Written out as plain
arithmetic, the same polynomials compile inside a kernel's loop to those instructions
too, so a kernel whose work is mostly exponentials (a softmax, a sigmoid, an LSTM cell)
runs as fast as NumPy's and still reads its data only once.

Kernels that call them are compiled with `error_model="numpy"`, as these are: Numba's
default checks every division for a zero divisor, and that branch alone stops the loop
from vectorizing. Each is accurate to about an ulp (tests/test_jitmath.py checks them
against `math`) for finite arguments in the domain its docstring gives. Callers compile
them inlined: after editing this file, delete the lessons' `__pycache__` folders, since
Numba's on-disk cache of a kernel does not notice changes in the functions it calls.
"""

import math

import numpy as np
from numba import njit

from tutor import accel

# The lessons' kernels alternate Numba's parallel loops with NumPy's BLAS products: their
# thread pools must wait passively between turns (see there; for BLAS, this comes too
# late if NumPy is already imported, which `tutor race` and the benchmarks see to).
accel.quiet_thread_pools()

# `fastmath=` for kernels whose loops add up (or take the maximum of) many numbers:
# "reassoc" lets the compiler keep several partial sums at once, in vector registers, which
# changes only the rounding. Unlike fastmath=True, these flags leave inf and nan their
# meaning, and they leave out "contract" (fusing a * b + c into one rounding): a
# difference that NumPy computes as exactly 0, such as d·γ·dout − Σγ·dout for one value,
# would keep a rounding error instead. A kernel with these flags passes them on to the
# functions it calls, and reassociated, exp's reduction x − k ln 2 loses the precision it
# was split for (errors up to 1e-13 near |x| = 700): so kernels that call the functions
# below do without, and add up through `total` and `largest`, which have them.
ANY_ORDER = {"reassoc", "nsz"}

LOG2_E = 1.4426950408889634
# ln 2 split into a part with a short mantissa and the rest: k · LN2_HI is exact for the
# k that occur, so x - k ln 2 loses nothing to rounding (Cody and Waite's reduction)
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
SMALLEST = -708.0  # e^x below this is under 2^-1021: returned as 0


@njit(cache=True, error_model="numpy", fastmath=ANY_ORDER)
def total(a):
    """Σ a, the terms added in whatever order vectorizes."""
    s = 0.0
    for j in range(a.size):
        s += a[j]
    return s


@njit(cache=True, error_model="numpy", fastmath=ANY_ORDER)
def largest(a):
    """max a, for a non-empty a, compared in whatever order vectorizes."""
    m = a[0]
    for j in range(1, a.size):
        m = max(m, a[j])
    return m


@njit(cache=True, error_model="numpy")
def exp(x):
    """e^x for x <= 709, as 2^k · e^r: k = round(x / ln 2), r = x - k ln 2 in [-ln2/2, ln2/2],
    e^r by its Taylor series to r^13 (the next term is below 1e-17 of it); 0 below -708."""
    k = math.floor(x * LOG2_E + 0.5)
    r = (x - k * LN2_HI) - k * LN2_LO
    p = 1.0 / 6227020800.0  # 1/13!, then Horner's rule down to 1/0!
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    # 2^k is the float64 whose exponent bits hold k + 1023 and whose mantissa is 0
    two_k = np.int64(np.int64(np.int32(max(k, -1022.0)) + 1023) << 52).view(np.float64)
    return p * two_k if x >= SMALLEST else 0.0


@njit(cache=True, error_model="numpy")
def log1p(z):
    """log(1 + z) for 0 <= z <= 1: 2 atanh(y) = 2 (y + y³/3 + y⁵/5 + ...) with y = z / (2 + z)
    in [0, 1/3], to y^33 (the next term is below 1e-17 of the sum)."""
    two_y = 2.0 * z / (2.0 + z)  # 2y, formed so that no tiny z rounds away when halved
    y2 = 0.25 * two_y * two_y
    p = 1.0 / 33.0  # then Horner's rule in y² down to 1/1
    p = p * y2 + 1.0 / 31.0
    p = p * y2 + 1.0 / 29.0
    p = p * y2 + 1.0 / 27.0
    p = p * y2 + 1.0 / 25.0
    p = p * y2 + 1.0 / 23.0
    p = p * y2 + 1.0 / 21.0
    p = p * y2 + 1.0 / 19.0
    p = p * y2 + 1.0 / 17.0
    p = p * y2 + 1.0 / 15.0
    p = p * y2 + 1.0 / 13.0
    p = p * y2 + 1.0 / 11.0
    p = p * y2 + 1.0 / 9.0
    p = p * y2 + 1.0 / 7.0
    p = p * y2 + 1.0 / 5.0
    p = p * y2 + 1.0 / 3.0
    p = p * y2 + 1.0
    return two_y * p


@njit(cache=True, error_model="numpy")
def sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), from z = e^-|x| <= 1 so that nothing overflows:
    1 / (1 + z) for x >= 0, z / (1 + z) below."""
    z = exp(-abs(x))
    return (1.0 if x >= 0.0 else z) / (1.0 + z)


@njit(cache=True, error_model="numpy")
def tanh(x):
    """tanh(x) = ±(1 - z) / (1 + z) with z = e^-2|x| <= 1 and the sign of x; below
    |x| = 1/64, where 1 - z would cancel, its Taylor series x - x³/3 + 2x⁵/15 - ... to x⁹."""
    a = abs(x)
    z = exp(-2.0 * a)
    t = (1.0 - z) / (1.0 + z)
    x2 = x * x
    series = x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0
                                                                 + x2 * (62.0 / 2835.0)))))
    return series if a < 1.0 / 64.0 else math.copysign(t, x)
