"""The lessons' jitmath: e^x, log(1 + z), σ and tanh agree with the C library's to an ulp
or so, over their domains and at their edges, and loops over them compile to vector code."""

import math
import platform
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numba import njit
from tutor_lessons import jitmath

# Relative error allowed against `math`: e^x and σ are within 1 ulp of it (2.2e-16) and
# log(1 + z) within 3; tanh loses up to 5 bits just above |x| = 1/64, where 1 - e^-2|x|
# cancels (worst seen in 10^7 draws: 2e-15). A wrong coefficient is off by 1e-10 or more.
ULPS = {"exp": 4.5e-16, "log1p": 8.9e-16, "sigmoid": 8.9e-16, "tanh": 4e-15}
exps = st.floats(-708.0, 709.0)


def close(got, want, name):
    return abs(got - want) <= ULPS[name] * abs(want)


@settings(max_examples=300, deadline=None)
@given(x=exps)
@example(x=0.0)
@example(x=-0.0)
@example(x=-708.0)
@example(x=709.0)
@example(x=-0.5 * math.log(2))  # the edge of the reduced range
@example(x=1e-300)
def test_exp(x):
    assert close(jitmath.exp(x), math.exp(x), "exp")


@pytest.mark.parametrize("x", [-708.5, -745.2, -1e4, -math.inf])
def test_exp_below_the_normal_range_is_zero(x):
    """e^x under 2^-1021 is returned as 0: an absolute error below 3e-308."""
    assert jitmath.exp(x) == 0.0 and math.exp(x) < 3e-308


@settings(max_examples=300, deadline=None)
@given(z=st.floats(0.0, 1.0))
@example(z=0.0)
@example(z=1.0)
@example(z=5e-324)
@example(z=1e-17)
def test_log1p(z):
    assert close(jitmath.log1p(z), math.log1p(z), "log1p")


def reference_sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-700.0, 700.0))
@example(x=0.0)
@example(x=-700.0)
@example(x=36.0)
def test_sigmoid(x):
    assert close(jitmath.sigmoid(x), reference_sigmoid(x), "sigmoid")


def test_sigmoid_saturates_without_overflow():
    assert jitmath.sigmoid(1e4) == 1.0 and jitmath.sigmoid(-1e4) == 0.0
    assert jitmath.sigmoid(0.0) == 0.5


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-400.0, 400.0))
@example(x=1.0 / 64.0)  # where the series hands over to e^-2|x|
@example(x=-1.0 / 64.0)
@example(x=np.nextafter(1.0 / 64.0, 0.0))
@example(x=1e-300)
@example(x=0.0)
@example(x=-20.0)
def test_tanh(x):
    assert close(jitmath.tanh(x), math.tanh(x), "tanh")


@njit(error_model="numpy")  # not cached: the assembly is kept only when compiled
def _exp_loop(x, out):
    for i in range(x.size):
        out[i] = jitmath.exp(x[i])


@njit(error_model="numpy")
def _math_exp_loop(x, out):
    for i in range(x.size):
        out[i] = math.exp(x[i])


PACKED = re.compile(r"\b\w*(mul|fmadd\d*)pd\b")  # x86's multiply(-add)s of several doubles


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                    reason="the instructions looked for are x86's")
def test_loops_over_them_vectorize():
    """The point of the module: a loop calling jitmath.exp compiles to packed arithmetic
    on several doubles at once, where a loop calling math.exp calls the C library for one
    number at a time."""
    x = np.linspace(-5.0, 0.0, 64)
    out = np.empty_like(x)
    _exp_loop(x, out)
    assert np.allclose(out, np.exp(x), rtol=1e-15, atol=0)
    _math_exp_loop(x, out)
    assert PACKED.search(next(iter(_exp_loop.inspect_asm().values())))
    assert not PACKED.search(next(iter(_math_exp_loop.inspect_asm().values())))
