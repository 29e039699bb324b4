"""The benchmarks' own parts: PyTorch's versions of the lessons' functions compute what the
references compute (else their times would compare different work), and the kernel
benchmark runs end to end."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

from tutor.race import race

sys.path.insert(0, str(REPO / "benchmarks"))


def torch_ops():
    pytest.importorskip("torch", reason="PyTorch is the optional bench extra")
    import torch_ops

    return torch_ops


def benchmarked(registry):
    """(lesson, function, race inputs) for every quick size and variant of every lesson."""
    for lesson in registry:
        cases = lesson.module("cases")
        for name, (quick, _, *variants) in getattr(cases, "BENCHMARKS", {}).items():
            for options in (variants[0] if variants else {"": {}}).values():
                for size in quick:
                    yield lesson, name, cases.race_inputs(name, np.random.default_rng(1), size,
                                                          **options)


def test_every_torch_version_matches_the_reference(registry):
    """race() checks each against NumPy within the exercise's tolerance (Mismatch if not)."""
    ops = torch_ops()
    covered = set()
    for lesson, name, args in benchmarked(registry):
        key = f"{lesson.id}.{name}"
        call = ops.prepare(key, args)
        if call is None:
            continue
        covered.add(key)
        timings = race(lesson, name, args, ["numpy"], 1,
                       {"torch": (call, lambda r, c=call: ops.results(c, r))})
        assert timings[-1].backend == "torch"
    assert covered == set(ops.PREPARE)  # each PyTorch version is benchmarked, so tested


def test_flop_counts_are_the_products_work():
    """An affine layer's product is 2·N·D·M; attention's causal mask halves its pairs."""
    from flops import flops

    x, w = np.zeros((4, 5)), np.zeros((5, 6))
    assert flops("backprop.affine_forward", (x, w, np.zeros(6))) == 2 * 4 * 5 * 6
    q = np.zeros((2, 8, 3))
    full = flops("attention.attention_forward", (q, q, q, False))
    causal = flops("attention.attention_forward", (q, q, q, True))
    assert full == 2 * 2 * 64 * 6 and causal == full * 36 / 64  # 1 + 2 + ... + 8 pairs
    assert flops("sgd.sgd_step", (x, x, 0.1)) is None


@pytest.mark.slow
def test_kernel_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "kernels.py"), "--quick",
                           "--lesson", "gan", "--threads", "1", "--repeat", "1"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "== 1 thread" in out and "matmul peak" in out and "load average" in out
    for column in ("numpy", "numba", "np/nb", "GFLOP/s", "compile", "err"):
        assert column in out
    assert "bce_with_logits" in out and "discriminator_loss" in out
    header = out.split("gan (times")[1].splitlines()[1]
    assert ("cuda" in header) == ("CUDA: GPU" in out)  # the simulator is never timed
