"""`tutor race` and tutor.race: the backends' times on the same inputs, every result checked
against the NumPy reference, a realistic size by default and the JIT's first call apart."""

import os
import subprocess
import sys
import types

import numpy as np
import pytest

from tutor.race import Mismatch, default_size, race


def test_default_size_is_the_first_realistic_benchmark_size(registry):
    cases = registry.get("cnn").module("cases")
    quick, full = cases.BENCHMARKS["conv_forward"][:2]
    assert default_size(cases, "conv_forward") == full[0]
    assert default_size(cases, "conv_forward", quick=True) == quick[0]


def test_default_size_falls_back_to_race_inputs_own_default(registry):
    cases = registry.get("backprop").module("cases")
    assert "sigmoid_forward" not in cases.BENCHMARKS
    assert default_size(cases, "sigmoid_forward") == 256  # race_inputs(name, rng, size=256)
    assert default_size(types.SimpleNamespace(), "anything") is None


def test_race_times_numpy_first_and_checks_every_backend(registry):
    lesson = registry.get("backprop")
    args = lesson.module("cases").race_inputs("affine_forward", np.random.default_rng(0), 8)
    timings = race(lesson, "affine_forward", args, ["numba", "numpy"], repeat=2)
    assert [t.backend for t in timings] == ["numpy", "numba"]
    numba = timings[1]
    assert numba.seconds > 0 and numba.first_seconds >= numba.seconds
    assert numba.compile_seconds == numba.first_seconds - numba.seconds
    assert numba.max_rel_error < 1e-12 and timings[0].max_rel_error == 0.0


def test_an_extra_backend_is_checked_like_the_others(registry):
    lesson = registry.get("backprop")
    x, w, b = lesson.module("cases").race_inputs("affine_forward", np.random.default_rng(0), 8)
    good = (lambda: x @ w + b, lambda r: r)
    timings = race(lesson, "affine_forward", (x, w, b), ["numpy"], 1, {"mine": good})
    assert [t.backend for t in timings] == ["numpy", "mine"]
    wrong = (lambda: x @ w, lambda r: r)  # forgot the bias
    with pytest.raises(Mismatch, match="mine affine_forward"):
        race(lesson, "affine_forward", (x, w, b), ["numpy"], 1, {"mine": wrong})


def tutor(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_race_shows_what_compiling_cost_and_what_the_cache_saves(tmp_path):
    """A fresh Numba cache: the first race compiles, the second loads; both at the lesson's
    realistic size, the first call's time apart from the best one."""
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "COLUMNS": "100"}
    first = tutor("race", "backprop.affine_forward", "--repeat", "2", env=env)
    assert first.returncode == 0, first.stderr
    assert "backprop.affine_forward, size 256" in first.stdout
    assert "(compiled)" in first.stdout and "compiled the kernels on the first call" in \
        first.stdout
    second = tutor("race", "backprop.affine_forward", "--repeat", "2", env=env)
    assert second.returncode == 0, second.stderr
    assert "(from cache)" in second.stdout and "loaded the kernels" in second.stdout
    for out in (first.stdout, second.stdout):
        assert "first call" in out and "compile" in out and "Numba threads" in out


def test_thread_pools_wait_passively_unless_the_user_chose(monkeypatch):
    from tutor.accel import quiet_thread_pools

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", "12")
    quiet_thread_pools()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == "12"  # the user's, kept


def test_race_quiets_blas_before_numpy_loads_it():
    """OpenBLAS reads its variable once, when NumPy is first imported: `tutor race` sets it
    before that. The child records the variable at that moment."""
    code = """
import builtins, os, sys
seen = []
real_import = builtins.__import__
def watch(name, *args, **kwargs):
    if name.split(".")[0] == "numpy" and "numpy" not in sys.modules and not seen:
        seen.append(os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
    return real_import(name, *args, **kwargs)
builtins.__import__ = watch
from click.testing import CliRunner
from tutor.cli import cli
result = CliRunner().invoke(cli, ["race", "gan.bce_with_logits", "--size", "64",
                                  "--repeat", "1"])
print(result.exit_code, seen)
"""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.stdout.strip() == "0 ['4']", done.stderr


def test_compiling_pays_for_itself_after_compile_time_over_the_saving_per_call():
    from tutor.race import break_even_calls

    assert break_even_calls(1.0, 0.3, 0.1) == 5  # 1 s saved 0.2 s at a time
    assert break_even_calls(1.0, 0.2, 0.1) == 10
    assert break_even_calls(0.05, 0.3, 0.1) == 1
    assert break_even_calls(1.0, 0.1, 0.1) is None and break_even_calls(1.0, 0.1, 0.2) is None
