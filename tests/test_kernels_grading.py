"""Grading the kernels lesson: the stub is not implemented, correct kernels in several
honest styles pass, the classic bugs fail with the right verdict and a message that says
where, and nothing a learner's process reports can turn wrong values into a pass."""

import textwrap

import pytest

from tutor.grader import Grader
from tutor.sandbox.supervisor import Limits


@pytest.fixture(scope="module")
def kernels(registry):
    return registry.get("kernels")


HEADER = """
import math

import numpy as np
from numba import cuda
"""


def grade(lesson, tmp_path, source, names=None, jail="auto", seconds=30.0):
    path = tmp_path / "kernels.py"
    path.write_text(HEADER + textwrap.dedent(source))
    grader = Grader(lesson, path, Limits(seconds=seconds, jail=jail))
    try:
        exercises = [lesson.exercise(n) for n in names] if names else None
        return {r.exercise.split(".", 1)[1]: r for r in grader.grade(exercises)}
    finally:
        grader.close()


def test_the_stub_is_not_implemented(kernels, tmp_path):
    results = grade(kernels, tmp_path, kernels.stub_path.read_text())
    assert {r.verdict for r in results.values()} == {"not-implemented"}, results


def test_the_reference_kernels_pass_in_the_jail_or_out(kernels, tmp_path):
    for jail in ("auto", "none"):
        results = grade(kernels, tmp_path, kernels.kernel_reference_path.read_text(), jail=jail)
        failing = {n: (r.verdict, r.message) for n, r in results.items() if not r.passed}
        assert not failing, (jail, failing)


OTHER_STYLES = """
@cuda.jit
def relu_kernel(x, out):
    # a grid-stride loop: any grid covers any n
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        v = x[i]
        out[i] = max(v, 0.0)


@cuda.jit
def add_bias_kernel(x, b, out):
    j = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    i = cuda.blockIdx.y * cuda.blockDim.y + cuda.threadIdx.y
    if i >= x.shape[0] or j >= x.shape[1]:
        return  # no barrier follows: an early return is fine
    out[i, j] = x[i, j] + b[j]


@cuda.jit
def row_sum_kernel(x, out):
    # neighbours first: strides 1, 2, 4, ... with interleaved addressing
    partial = cuda.shared.array(128, np.float64)
    tid = cuda.threadIdx.x
    acc = 0.0
    j = tid
    while j < x.shape[1]:
        acc += x[cuda.blockIdx.x, j]
        j += cuda.blockDim.x
    partial[tid] = acc
    cuda.syncthreads()
    s = 1
    while s < cuda.blockDim.x:
        if tid % (2 * s) == 0:
            partial[tid] += partial[tid + s]
        cuda.syncthreads()
        s *= 2
    if tid == 0:
        out[cuda.blockIdx.x] = partial[0]


@cuda.jit
def row_softmax_kernel(x, out):
    # online softmax: one pass for (max, sum) per thread, one tree combining the pairs
    ms = cuda.shared.array(128, np.float64)
    ss = cuda.shared.array(128, np.float64)
    tid = cuda.threadIdx.x
    row = cuda.blockIdx.x
    m = -math.inf
    s = 0.0
    for j in range(tid, x.shape[1], 128):
        v = x[row, j]
        if v > m:
            s = s * math.exp(m - v) + 1.0
            m = v
        else:
            s += math.exp(v - m)
    ms[tid] = m
    ss[tid] = s
    cuda.syncthreads()
    stride = 64
    while stride > 0:
        if tid < stride:
            m1 = ms[tid]
            m2 = ms[tid + stride]
            top = max(m1, m2)
            if top == -math.inf:
                total = 0.0
            else:
                total = ss[tid] * math.exp(m1 - top) + ss[tid + stride] * math.exp(m2 - top)
            ms[tid] = top
            ss[tid] = total
        cuda.syncthreads()
        stride //= 2
    top = ms[0]
    total = ss[0]
    for j in range(tid, x.shape[1], 128):
        out[row, j] = math.exp(x[row, j] - top) / total


@cuda.jit
def matmul_tiled_kernel(a, b, out):
    sa = cuda.shared.array((16, 16), np.float64)
    sb = cuda.shared.array((16, 16), np.float64)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    col, row = cuda.grid(2)
    total = 0.0
    tiles = (a.shape[1] + 15) // 16
    for t in range(tiles):
        k = t * 16
        if row < a.shape[0] and k + tx < a.shape[1]:
            sa[ty, tx] = a[row, k + tx]
        else:
            sa[ty, tx] = 0.0
        if k + ty < b.shape[0] and col < b.shape[1]:
            sb[ty, tx] = b[k + ty, col]
        else:
            sb[ty, tx] = 0.0
        cuda.syncthreads()
        for i in range(16):
            total += sa[ty, i] * sb[i, tx]
        cuda.syncthreads()
    if row < out.shape[0] and col < out.shape[1]:
        out[row, col] = total
"""


def test_correct_kernels_in_other_styles_pass(kernels, tmp_path):
    results = grade(kernels, tmp_path, OTHER_STYLES)
    failing = {n: (r.verdict, r.message) for n, r in results.items() if not r.passed}
    assert not failing, failing


def test_a_softmax_that_writes_then_divides_in_place_is_within_budget(kernels, tmp_path):
    source = kernels.kernel_reference_path.read_text().replace(
        """    total = scratch[0]
    for j in range(tid, n, THREADS):
        out[row, j] = math.exp(x[row, j] - top) / total""",
        """    total = scratch[0]
    for j in range(tid, n, THREADS):
        out[row, j] /= total""").replace(
        """        total += math.exp(x[row, j] - top)""",
        """        e = math.exp(x[row, j] - top)
        out[row, j] = e
        total += e""")
    assert "out[row, j] /= total" in source and "out[row, j] = e" in source
    result = grade(kernels, tmp_path, source, ["row_softmax_kernel"])["row_softmax_kernel"]
    assert result.passed, result.message


def test_a_missing_guard_names_the_thread_and_the_index(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def relu_kernel(x, out):
            i = cuda.grid(1)
            out[i] = max(x[i], 0.0)
        """, ["relu_kernel"])["relu_kernel"]
    assert result.verdict == "exception"
    first = result.checks[0]
    assert first.diagnosis == "out-of-bounds"
    assert "x[300] is out of bounds: x has shape (300,)" in first.message
    assert "thread (44, 0, 0) of block (2, 0, 0)" in first.message  # 2 * 128 + 44 = 300
    assert "out[i] = max(x[i], 0.0)" in result.traceback


def test_a_missing_barrier_is_a_race_naming_threads_element_and_lines(kernels, tmp_path):
    source = kernels.kernel_reference_path.read_text().replace(
        "        cuda.syncthreads()  # outside the if: every thread reaches it\n", "", 1)
    result = grade(kernels, tmp_path, source, ["row_sum_kernel"])["row_sum_kernel"]
    assert result.verdict == "race"
    race = next(c for c in result.checks if c.verdict == "race")
    assert race.diagnosis == "missing-barrier"
    assert "partial[" in race.message and "thread" in race.message and "line" in race.message


def test_a_barrier_in_a_branch_is_a_race(kernels, tmp_path):
    source = kernels.kernel_reference_path.read_text().replace(
        "            partial[tid] += partial[tid + stride]\n"
        "        cuda.syncthreads()  # outside the if: every thread reaches it\n",
        "            partial[tid] += partial[tid + stride]\n"
        "            cuda.syncthreads()\n")
    result = grade(kernels, tmp_path, source, ["row_sum_kernel"])["row_sum_kernel"]
    assert result.verdict == "race"
    race = next(c for c in result.checks if c.verdict == "race")
    assert race.diagnosis == "divergent-barrier"
    assert "never reaches" in race.message or "at the one at" in race.message


def test_reading_an_element_twice_is_over_budget_with_the_counts(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def relu_kernel(x, out):
            i = cuda.grid(1)
            if i < x.size:
                out[i] = x[i] if x[i] > 0.0 else 0.0
        """, ["relu_kernel"])["relu_kernel"]
    assert result.verdict == "over-budget"
    check = next(c for c in result.checks if c.verdict == "over-budget")
    assert "reads 2 elements of global memory; the budget is 1" in check.message
    assert check.error_map["kind"] == "traffic" and check.error_map["most"] == 2
    assert check.error_map["reference_most"] == 1  # the reference kernel, beside


def test_a_kernel_that_raises_leaves_no_thread_waiting(kernels, tmp_path):
    """Thread 5 raises while the others wait at the barrier: the block ends at once."""
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def row_sum_kernel(x, out):
            partial = cuda.shared.array(128, np.float64)
            tid = cuda.threadIdx.x
            if tid == 5:
                raise ValueError("thread five gives up")
            partial[tid] = 0.0
            cuda.syncthreads()
            out[cuda.blockIdx.x] = 0.0
        """, ["row_sum_kernel"], seconds=20.0)["row_sum_kernel"]
    assert result.verdict == "exception"
    assert "thread five gives up" in result.checks[0].message
    assert "thread (5, 0, 0) of block (0, 0, 0)" in result.checks[0].message  # not timeout


def test_exp_overflows_to_inf_as_on_a_gpu(kernels, tmp_path):
    source = (kernels.folder / "mutants" / "row_softmax_kernel__no_max_shift.py").read_text()
    result = grade(kernels, tmp_path, source, ["row_softmax_kernel"])["row_softmax_kernel"]
    assert result.verdict == "non-finite", result.message


def test_elements_never_written_are_named(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def add_bias_kernel(x, b, out):
            col, row = cuda.grid(2)
            if row < x.shape[0] and col < x.shape[1] and row < 16:
                out[row, col] = x[row, col] + b[col]
        """, ["add_bias_kernel"])["add_bias_kernel"]
    assert result.verdict == "non-finite"
    assert result.checks[0].diagnosis == "unwritten"
    assert "rows 16..36" in result.checks[0].diagnosis_message


def test_a_mistake_is_named_by_the_mutant_it_matches(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def add_bias_kernel(x, b, out):
            row, col = cuda.grid(2)
            if row < x.shape[0] and col < x.shape[1]:
                out[row, col] = x[row, col] + b[col]
        """, ["add_bias_kernel"])["add_bias_kernel"]
    assert not result.passed
    assert "rows-cols-swapped" in {c.diagnosis for c in result.checks}


def test_faked_measurements_never_pass_wrong_values(kernels, tmp_path):
    """A file that replaces the launcher: it reports a clean launch and writes nothing."""
    result = grade(kernels, tmp_path, """
        import sys

        @cuda.jit
        def relu_kernel(x, out):
            pass

        def _fake(obj, name, args, params, grid, block):
            rows = grid[0]
            zeros = np.zeros((rows, block[0]), dtype=np.int64)
            return {"reads": zeros, "writes": zeros, "races": [], "barriers": []}

        for name in ("tutor_sandbox.kernels", "tutor.sandbox.kernels"):
            if name in sys.modules:
                sys.modules[name].launch = _fake
        """, ["relu_kernel"])["relu_kernel"]
    assert not result.passed
    assert result.verdict in ("non-finite", "wrong-value")


def test_a_malformed_report_is_a_protocol_error(kernels, tmp_path):
    result = grade(kernels, tmp_path, kernels.kernel_reference_path.read_text() + """
import sys
for _name in ("tutor_sandbox.kernels", "tutor.sandbox.kernels"):
    if _name in sys.modules:
        _real = sys.modules[_name].launch
        def _launch(*a, _real=_real):
            report = _real(*a)
            report["reads"] = "a lot"
            return report
        sys.modules[_name].launch = _launch
""", ["relu_kernel"])["relu_kernel"]
    assert result.verdict == "protocol-error"


def test_writing_an_input_is_mutated_input(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        @cuda.jit
        def relu_kernel(x, out):
            i = cuda.grid(1)
            if i < x.size:
                v = x[i]
                x[i] = 0.0
                out[i] = max(v, 0.0)
        """, ["relu_kernel"])["relu_kernel"]
    assert result.verdict == "mutated-input"


def test_a_plain_function_is_not_a_kernel(kernels, tmp_path):
    result = grade(kernels, tmp_path, """
        def relu_kernel(x, out):
            out[:] = np.maximum(x, 0.0)
        """, ["relu_kernel"])["relu_kernel"]
    assert result.verdict == "wrong-type"
    assert "@cuda.jit" in result.message
