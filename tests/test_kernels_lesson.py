"""The kernels lesson's schema, its numbers, and its kernels as a GPU compiler sees them."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tutor import sizes
from tutor.lesson import Lesson
from tutor.schema import CatalogError


@pytest.fixture(scope="module")
def kernels(registry):
    return registry.get("kernels")


# -- size expressions and the kernel table ------------------------------------------------

def test_size_expressions_evaluate_shapes_and_nothing_else():
    x = np.empty((37, 21))
    assert sizes.evaluate("ceil(x.shape[1] / 16)", {"x": x}) == 2
    assert sizes.evaluate("3 * ceil(x.size / 128) + max(1, x.shape[0] // 2)", {"x": x}) == 39
    for bad in ("__import__('os')", "x.sum()", "y.shape[0]", "x.shape[k]", "[1][0]"):
        with pytest.raises(sizes.SizeError):
            sizes.parse(bad, ["x"])
    with pytest.raises(sizes.SizeError, match="whole number"):
        sizes.evaluate("x.shape[1] / 2", {"x": x})


def _lesson_with(tmp_path, kernel: str, returns: str = '["out"]') -> Lesson:
    (tmp_path / "lesson.toml").write_text(textwrap.dedent(f"""
        format = 1
        id = "k"
        title = "K"
        [[exercises]]
        name = "f"
        signature = "f(x, out)"
        returns = {returns}
        hints = ["a", "b", "c"]
        [exercises.kernel]
        """) + textwrap.dedent(kernel))
    return Lesson.from_folder(tmp_path)


def test_the_kernel_table_is_checked(tmp_path):
    lesson = _lesson_with(tmp_path, 'grid = ["ceil(x.size / 128)"]\nblock = [128]\nreads = "1"\n')
    kernel = lesson.exercise("f").kernel
    assert kernel.launch(["x", "out"], [np.empty(300), np.empty(300)]) == ([3], [128])
    assert kernel.budget(["x", "out"], [np.empty(300), np.empty(300)]) == (1, None)
    assert lesson.has_kernels
    for table, returns, message in [
        ('grid = ["1"]\nblock = [2048]\n', '["out"]', "at most 1024"),
        ('grid = ["1", "1"]\nblock = [16]\n', '["out"]', "as many of one"),
        ('grid = ["z.size"]\nblock = [16]\n', '["out"]', "only numbers"),
        ('grid = ["1"]\nblock = [16]\n', '["y"]', "kernel returns nothing"),
        ('grid = ["1"]\nblock = [16]\nthreads = 3\n', '["out"]', "unknown key 'threads'"),
    ]:
        with pytest.raises(CatalogError, match=message):
            _lesson_with(tmp_path, table, returns)


# -- numbers the pages quote ----------------------------------------------------------------

def _launch(kernels, name, *args):
    exercise = kernels.exercise(name)
    return exercise.kernel.launch(exercise.params, args)


def test_the_launch_arithmetic_of_page_one(kernels):
    (blocks,), (threads,) = _launch(kernels, "relu_kernel", np.empty(300), np.empty(300))
    assert (blocks, blocks * threads - 300) == (3, 84)
    x = np.empty((37, 21))
    grid, block = _launch(kernels, "add_bias_kernel", x, np.empty(21), x)
    assert grid == [2, 3] and math.prod(grid) * math.prod(block) == 1536 and x.size == 777


def test_the_worked_reduction_of_page_four():
    """The tree over 8 slots of 1..5, and the one fitted to N = 5 that drops the tail."""
    def tree(values, slots, first):
        partial = list(values) + [0.0] * (slots - len(values))
        stride = first
        while stride > 0:
            for t in range(stride):
                partial[t] += partial[t + stride]
            stride //= 2
        return partial[0]

    assert tree([1, 2, 3, 4, 5], 8, 4) == 15
    assert tree([1, 2, 3, 4, 5], 8, 5 // 2) == 10


def test_tiles_cut_the_reads_as_page_six_says(kernels, tmp_path):
    """At M = N = K = 64 the naive kernel's threads read 128 elements, the tiled one's 8."""
    from tutor.kernel_grader import ENV, PACKAGES
    from tutor.sandbox.supervisor import Limits, Sandbox

    naive = (kernels.folder / "mutants" / "matmul_tiled_kernel__naive.py").read_text()
    path = tmp_path / "both.py"
    path.write_text(kernels.kernel_reference_path.read_text()
                    + naive.replace("def matmul_tiled_kernel", "def naive"))
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))
    most = {}
    with Sandbox(path, Limits(seconds=120, jail="none"), packages=PACKAGES, env=ENV,
                 kernels=True) as sandbox:
        for name in ("naive", "matmul_tiled_kernel"):
            outcome = sandbox.launch(name, [a, b, np.zeros((64, 64))], ["a", "b", "out"],
                                     [4, 4], [16, 16], [2], 120)
            assert outcome.ok, outcome.message
            assert np.allclose(outcome.outputs[2], a @ b)
            most[name] = int(outcome.value["reads"].max())
    assert most == {"naive": 128, "matmul_tiled_kernel": 8}


def test_the_experiment_counts_what_the_tiles_predict(kernels):
    experiment = kernels.module("experiment")
    counts, right = experiment.count_reads(16)
    assert right
    assert {t: per for t, (per, _) in counts.items()} == {1: 32, 2: 16, 4: 8, 8: 4, 16: 2}


# -- what a GPU compiler says ---------------------------------------------------------------

COMPILE = """
import sys
from pathlib import Path
from numba import cuda, float64
from numba.cuda import compile_ptx

ns = {}
path = Path(sys.argv[1])
exec(compile(path.read_text(), str(path), "exec"), ns)
signatures = {"relu_kernel": 2, "add_bias_kernel": (2, 1, 2), "row_sum_kernel": (2, 1),
              "row_softmax_kernel": (2, 2), "matmul_tiled_kernel": (2, 2, 2)}
for name, dims in signatures.items():
    dims = (1, 1) if dims == 2 else dims
    sig = tuple(float64[:, :] if d == 2 else float64[:] for d in dims)
    ptx, _ = compile_ptx(ns[name].py_func, sig, cc=(8, 0))
    assert ".entry" in ptx, name
print("compiled", len(signatures))
"""


@pytest.mark.parametrize("which", ["cuda_ops.py", "stub.py"])
def test_the_reference_and_the_stub_compile_for_a_gpu(kernels, which, tmp_path):
    """numba-cuda's compiler (NVVM, no GPU needed) accepts every kernel, not only the
    simulator."""
    script = tmp_path / "compile.py"
    script.write_text(COMPILE)
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    proc = subprocess.run([sys.executable, str(script), str(kernels.folder / which)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "compiled 5" in proc.stdout
