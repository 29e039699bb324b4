"""`tutor race` for a kernel exercise: the learner's kernel on the GPU, against the lesson's
reference kernel and PyTorch (when installed), in GFLOP/s and GB/s and as a share of the
device's peak. Only on a GPU: the CUDA simulator is never timed.

The learner's kernel runs in a process of its own (their file is never imported into
tutor's), on the GPU, and its outputs are read back and compared with the NumPy reference
before any time is shown. The reference kernel and PyTorch run here.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .lesson import Exercise, Lesson

# Double-precision fused multiply-adds per clock per SM, by compute capability: the data
# centre parts run float64 at half the float32 rate, the others at 1/32 or 1/64 of it.
FP64_FMA_PER_SM = {(6, 0): 32, (7, 0): 32, (8, 0): 32, (9, 0): 64, (6, 1): 4, (7, 5): 2,
                   (8, 6): 2, (8, 7): 2, (8, 9): 2, (12, 0): 2}


class NoGpu(RuntimeError):
    """There is no GPU to time kernels on."""


@dataclass(frozen=True)
class Peak:
    name: str
    flops: float | None  # float64 operations per second
    bytes: float | None  # bytes per second to and from global memory


@dataclass(frozen=True)
class Entry:
    who: str
    seconds: float
    max_rel_error: float


def work(exercise: Exercise, args: list[Any]) -> tuple[float | None, float]:
    """(floating-point operations, bytes of global memory at the least) of one launch:
    every input read once and every output written once."""
    nbytes = float(sum(a.nbytes for a in args if isinstance(a, np.ndarray)))
    if exercise.name == "matmul_tiled_kernel":
        (m, k), n = args[0].shape, args[1].shape[1]
        return 2.0 * m * n * k, nbytes
    return None, nbytes


def peak() -> Peak:
    from . import accel

    cuda = accel.cuda()
    dev = cuda.get_current_device()
    name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)

    def attribute(key: str) -> int | None:
        try:
            return int(getattr(dev, key))
        except Exception:  # removed from newer drivers, or not reported
            return None

    sms, clock = attribute("MULTIPROCESSOR_COUNT"), attribute("CLOCK_RATE")
    mem_clock, width = attribute("MEMORY_CLOCK_RATE"), attribute("GLOBAL_MEMORY_BUS_WIDTH")
    fma = FP64_FMA_PER_SM.get(tuple(dev.compute_capability))
    flops = 2.0 * sms * clock * 1e3 * fma if sms and clock and fma else None
    bandwidth = 2.0 * mem_clock * 1e3 * width / 8 if mem_clock and width else None
    return Peak(name, flops, bandwidth)


def _time_here(kernel: Any, args: list[Any], grid: list[int], block: list[int],
               outputs: list[int], repeat: int) -> float:
    from .sandbox.kernels import bench

    return float(bench(kernel, "reference", args, outputs, grid, block, repeat)["seconds"])


def _time_torch(exercise: Exercise, args: list[Any], repeat: int) -> tuple[float, Any] | None:
    """PyTorch's own operation on the GPU, when PyTorch with CUDA is installed."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    t = [torch.from_numpy(a).cuda() for a in args if isinstance(a, np.ndarray)]
    ops = {"relu_kernel": lambda: torch.relu(t[0]),
           "add_bias_kernel": lambda: t[0] + t[1],
           "row_sum_kernel": lambda: t[0].sum(dim=1),
           "row_softmax_kernel": lambda: torch.softmax(t[0], dim=1),
           "matmul_tiled_kernel": lambda: t[0] @ t[1]}
    op = ops.get(exercise.name)
    if op is None:
        return None
    result = op()
    torch.cuda.synchronize()
    best = math.inf
    for _ in range(repeat):
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        begin.record()
        op()
        end.record()
        end.synchronize()
        best = min(best, begin.elapsed_time(end) / 1e3)
    return best, result.cpu().numpy()


def race(lesson: Lesson, exercise: Exercise, solution: Path, size: int | None,
         repeat: int) -> tuple[list[Entry], Peak, list[Any]]:
    """Time the learner's kernel (in their own process, on the GPU), the reference kernel
    and PyTorch's operation on the same inputs; NoGpu without a GPU."""
    from . import accel
    from .cases import Case
    from .kernel_grader import PACKAGES, arguments, expected
    from .race import max_rel_error
    from .sandbox.supervisor import Limits, Sandbox

    if accel.select_cuda_target() != "gpu":
        raise NoGpu
    assert exercise.kernel is not None
    make = lesson.function("cases", "race_inputs")
    args = list(make(exercise.name, np.random.default_rng(0), *([size] if size else [])))
    case = Case("race", tuple(args))
    want = expected(lesson, exercise, case)
    grid, block = exercise.kernel.launch(exercise.params, args)
    outputs = [exercise.params.index(n) for n in exercise.returns]
    entries = []
    # The learner's process sees the GPU: no jail (it has no device), no simulator, and no
    # address-space limit (the CUDA driver reserves far more than it uses).
    limits = Limits(seconds=600, memory_mb=0, jail="none")
    with Sandbox(solution, limits, packages=PACKAGES, env={}, kernels=True) as sandbox:
        mine, _ = arguments(exercise, case)
        outcome = sandbox.launch(exercise.name, mine, list(exercise.params), grid, block,
                                 outputs, limits.seconds, bench=repeat)
        if not outcome.ok:
            raise RuntimeError(f"your {exercise.name} failed on the GPU ({outcome.kind}): "
                               f"{outcome.message}")
        got = [outcome.outputs[i] for i in outputs]
        seconds = outcome.value.get("seconds") if isinstance(outcome.value, dict) else None
        if not isinstance(seconds, float):
            raise RuntimeError("the timing of your kernel came back malformed")
        entries.append(Entry("yours", seconds, max_rel_error(got, want)))
    reference = getattr(lesson.module("cuda_ops"), exercise.name)
    theirs, _ = arguments(exercise, case)
    seconds = _time_here(reference, theirs, grid, block, outputs, repeat)
    entries.append(Entry("reference kernel", seconds,
                         max_rel_error([theirs[i] for i in outputs], want)))
    torch_result = _time_torch(exercise, [a for i, a in enumerate(args) if i not in outputs],
                               repeat)
    if torch_result is not None:
        entries.append(Entry("PyTorch", torch_result[0], max_rel_error(torch_result[1],
                                                                      want[0])))
    return entries, peak(), args
