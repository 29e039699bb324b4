"""How a matrix product's global-memory reads, and its time on a GPU, change with the size
of its tiles.

The same tiled kernel is generated for tiles of 1 x 1 up to 16 x 16 and run under the CUDA
simulator (in a sandbox process of its own), which counts every element each thread reads
from global memory; with a GPU present, each is also timed on it at a realistic size. Your
matmul_tiled_kernel, once your kernels pass, is measured beside them.
"""

import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Tiles and global-memory traffic in a matrix product"
PARAMS = {"n": 32, "gpu_n": 1024, "seed": 0}
TILES = (1, 2, 4, 8, 16)

_TEMPLATE = '''
@cuda.jit
def tiled_{t}(a, b, out):
    a_tile = cuda.shared.array(({t}, {t}), np.float64)
    b_tile = cuda.shared.array(({t}, {t}), np.float64)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row = cuda.blockIdx.y * {t} + ty
    col = cuda.blockIdx.x * {t} + tx
    m, k = a.shape
    n = b.shape[1]
    acc = 0.0
    for s in range(0, k, {t}):
        a_tile[ty, tx] = a[row, s + tx] if row < m and s + tx < k else 0.0
        b_tile[ty, tx] = b[s + ty, col] if s + ty < k and col < n else 0.0
        cuda.syncthreads()
        for i in range({t}):
            acc += a_tile[ty, i] * b_tile[i, tx]
        cuda.syncthreads()
    if row < m and col < n:
        out[row, col] = acc
'''


def source():
    """The module of tiled kernels, one per tile size."""
    return "import numpy as np\nfrom numba import cuda\n" + "".join(
        _TEMPLATE.format(t=t) for t in TILES)


def _grid(n, t):
    return [-(-n // t), -(-n // t)], [t, t]


def count_reads(n, seed=0):
    """{tile: (most reads by one thread, total reads)} of an n x n x n product, counted
    under the simulator; and whether every result was right."""
    from tutor.kernel_grader import ENV, PACKAGES
    from tutor.sandbox.supervisor import Limits, Sandbox

    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    counts, right = {}, True
    with tempfile.TemporaryDirectory(prefix="tutor-tiles-") as tmp:
        path = Path(tmp) / "tiles.py"
        path.write_text(source(), encoding="utf-8")
        with Sandbox(path, Limits(seconds=120, jail="none"), packages=PACKAGES, env=ENV,
                     kernels=True) as sandbox:
            for t in TILES:
                grid, block = _grid(n, t)
                outcome = sandbox.launch(f"tiled_{t}", [a, b, np.zeros((n, n))],
                                         ["a", "b", "out"], grid, block, [2], 120)
                if not outcome.ok:
                    raise RuntimeError(f"the {t} x {t} kernel failed: {outcome.message}")
                reads = outcome.value["reads"]
                counts[t] = (int(reads.max()), int(reads.sum()))
                right = right and np.allclose(outcome.outputs[2], a @ b)
    return counts, right


def gpu_times(n, seed=0, repeat=5):
    """{tile: seconds} of the tiled kernels on the GPU for an n x n x n product, or None
    without a GPU (the simulator is never timed)."""
    from tutor import accel

    if accel.select_cuda_target() != "gpu":
        return None
    cuda = accel.cuda()
    namespace = {}
    exec(compile(source(), "<tiles>", "exec"), namespace)
    rng = np.random.default_rng(seed)
    a = cuda.to_device(rng.standard_normal((n, n)))
    b = cuda.to_device(rng.standard_normal((n, n)))
    out = cuda.device_array((n, n))
    times = {}
    for t in TILES:
        grid, block = _grid(n, t)
        kernel = namespace[f"tiled_{t}"][tuple(grid), tuple(block)]
        kernel(a, b, out)
        cuda.synchronize()
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            kernel(a, b, out)
            cuda.synchronize()
            best = min(best, time.perf_counter() - start)
        times[t] = best
    return times


def _bar(value, most, width=16):
    filled = max(1, round(width * value / most)) if value else 0
    return "█" * filled


def frames(ops, *, n=32, gpu_n=1024, seed=0):
    yield Text(f"Counting global reads of a {n} x {n} x {n} product under the simulator, "
               "for each tile size…", style="dim")
    counts, right = count_reads(n, seed)
    table = Table(title=f"a ({n} x {n}) @ b ({n} x {n}): global reads")
    for col in ("tile", "reads per thread", "total reads", "vs 1 x 1", ""):
        table.add_column(col, justify="left" if col in ("tile", "") else "right")
    base = counts[1][1]
    most = max(total for _, total in counts.values())
    for t, (per, total) in counts.items():
        table.add_row(f"{t} x {t}", f"{per:,}", f"{total:,}", f"{base / total:.1f}x fewer"
                      if t > 1 else "-", Text(_bar(total, most), style="cyan"))
    parts = [table]
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    out = np.zeros((n, n))
    report = ops.matmul_tiled_kernel(a, b, out)
    if isinstance(report, dict):  # your kernel, measured in your sandbox
        mine = report["reads"]
        ok = np.allclose(out, a @ b)
        parts.append(Text(f"Your matmul_tiled_kernel (16 x 16): {int(mine.max()):,} reads per "
                          f"thread, {int(mine.sum()):,} in all"
                          + ("" if ok else " (and its values are wrong)"),
                          style="bold" if ok else "bold red"))
    parts.append(Text(f"Each element loaded into a T x T tile is used by T threads, so the "
                      f"reads fall by T: {counts[1][0]:,} per thread without tiles, "
                      f"{counts[16][0]:,} with 16 x 16." + ("" if right else
                                                          " (A result was wrong!)"),
                      style="dim"))
    yield Group(*parts)
    times = gpu_times(gpu_n, seed)
    if times is None:
        parts.append(Text("No GPU here: times need one (the simulator is never timed).",
                          style="dim"))
        yield Group(*parts)
        return
    timing = Table(title=f"on the GPU, {gpu_n} x {gpu_n} x {gpu_n}")
    for col in ("tile", "time", "GFLOP/s", ""):
        timing.add_column(col, justify="left" if col in ("tile", "") else "right")
    flops = 2 * gpu_n ** 3
    fastest = min(times.values())
    for t, seconds in times.items():
        timing.add_row(f"{t} x {t}", f"{seconds * 1e3:.2f} ms", f"{flops / seconds / 1e9:.0f}",
                       Text(_bar(fastest / seconds * 100, 100), style="green"))
    parts.append(timing)
    yield Group(*parts)
