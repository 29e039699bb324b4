"""Every lesson's NumPy, Numba, PyTorch and CUDA versions, timed on the same inputs in one run.

    python benchmarks/kernels.py [--lesson ID ...] [--quick] [--repeat 5] [--threads 1,2]

Each lesson names its heavy functions and realistic sizes in `BENCHMARKS` (in its cases.py)
and makes the inputs with `race_inputs`; `--quick` takes the small sizes instead. Every
thread count runs in a process of its own, started with OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS set to it (and
torch.set_num_threads), so NumPy's BLAS, Numba's parallel loops and PyTorch all use that
many threads, and with OMP_WAIT_POLICY and OPENBLAS_THREAD_TIMEOUT set as `tutor race` sets
them (tutor.accel.quiet_thread_pools) unless they are set already.

Each time is the best of `--repeat` calls made after a first call; the first call's extra
time is shown apart as "compile" (Numba's JIT compilation, or its load from the on-disk
cache, marked "cached"). Columns: "np/nb" is NumPy's time over Numba's (above 1: Numba is
faster); "nb/pt" is Numba's time over PyTorch's (below 2: within the 2x goal). GFLOP/s
counts the matrix products' work only (see flops.py) and "%pk" is its share of the
float64 matmul peak measured at the start of the run. PyTorch (CPU, float64) is timed when
installed (`pip install '.[bench]'`), and CUDA only on a real GPU: the simulator runs a
Python thread per CUDA thread and its times say nothing about speed. Every result is
checked against the NumPy reference; "err" is the largest relative error of any backend.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS")
CHILD = "TUTOR_BENCH_THREADS"  # set in each thread count's process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", action="append", help="only these lessons (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, a quick look")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    args = parser.parse_args()
    if CHILD in os.environ:
        run(args, int(os.environ[CHILD]))
        return
    from tutor.accel import quiet_thread_pools

    quiet_thread_pools()  # as `tutor race` does: BLAS's and Numba's threads wait passively
    for threads in (int(t) for t in args.threads.split(",")):
        env = {**os.environ, CHILD: str(threads), **dict.fromkeys(THREAD_VARIABLES, str(threads))}
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]],
                              env=env)
        if done.returncode:
            sys.exit(done.returncode)


def run(args: argparse.Namespace, threads: int) -> None:
    import numba
    import numpy as np

    from tutor.accel import cuda_target
    from tutor.plugins import load_registry

    numba.set_num_threads(threads)
    sys.path.insert(0, str(Path(__file__).parent))  # flops.py and torch_ops.py
    torch_ops = _torch(threads)
    gpu = cuda_target() == "gpu"
    peak, peaks = matmul_peak(np, torch_ops, 1024 if args.quick else 2048)
    print(f"\n== {threads} thread{'s' * (threads > 1)}: {cpu_name()}; numpy {np.__version__}, "
          f"numba {numba.__version__} ({numba.threading_layer()} layer), "
          f"{'torch ' + torch_ops.torch.__version__ if torch_ops else 'no torch'}")
    print(f"float64 matmul peak {peak:.1f} GFLOP/s ({peaks}); CUDA: "
          + ("GPU" if gpu else "no GPU (the simulator is not timed)")
          + "; load average " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    columns = [("function", 36), ("size", 6), ("numpy", 9), ("numba", 9)]
    columns += [("torch", 9)] * bool(torch_ops) + [("cuda", 9)] * gpu
    columns += [("np/nb", 6)] + [("nb/pt", 6)] * bool(torch_ops) + [("np/cu", 6)] * gpu
    columns += [("GFLOP/s", 7), ("%pk", 4)] + [("pt GF/s", 7)] * bool(torch_ops)
    columns += [("compile", 12), ("err", 7)]
    header = " ".join(f"{name:>{width}}" if i else f"{name:{width}}"
                      for i, (name, width) in enumerate(columns))
    for lesson in load_registry():
        if args.lesson and lesson.id not in args.lesson:
            continue
        cases = lesson.module("cases")
        benchmarks = getattr(cases, "BENCHMARKS", {})
        if not benchmarks:
            continue
        load = " ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"\n{lesson.id} (times in ms; load average {load})\n{header}\n"
              f"{'-' * len(header)}")
        for name, (quick_sizes, full_sizes, *variants) in benchmarks.items():
            for label, options in (variants[0] if variants else {"": {}}).items():
                for size in quick_sizes if args.quick else full_sizes:
                    row = bench_row(lesson, cases, name, size, options, args.repeat, gpu,
                                    torch_ops, peak)
                    title = f"{name} {label}".strip()
                    print(" ".join(f"{value:>{width}}" if i else f"{value:{width}}"
                                   for i, ((_, width), value)
                                   in enumerate(zip(columns, [title, *row], strict=True))),
                          flush=True)


def bench_row(lesson, cases, name, size, options, repeat, gpu, torch_ops, peak) -> list[str]:
    import numpy as np
    from flops import flops

    from tutor.race import race

    inputs = cases.race_inputs(name, np.random.default_rng(0), size, **options)
    extra = {}
    key = f"{lesson.id}.{name}"
    call = torch_ops.prepare(key, inputs) if torch_ops else None
    if call is not None:
        extra["torch"] = (call, lambda result: torch_ops.results(call, result))
    backends = ["numpy", "numba"] + ["cuda"] * gpu
    t = {r.backend: r for r in race(lesson, name, inputs, backends, repeat, extra)}
    work = flops(key, inputs)

    def ms(backend):
        return f"{t[backend].seconds * 1e3:.2f}" if backend in t else "-"

    def ratio(a, b):
        return f"{t[a].seconds / t[b].seconds:.2f}" if a in t and b in t else "-"

    def rate(backend):
        return f"{work / t[backend].seconds / 1e9:.1f}" if work and backend in t else "-"

    numba = t["numba"]
    row = [str(size), ms("numpy"), ms("numba")]
    row += [ms("torch")] * bool(torch_ops) + [ms("cuda")] * gpu
    row += [ratio("numpy", "numba")] + [ratio("numba", "torch")] * bool(torch_ops)
    row += [ratio("numpy", "cuda")] * gpu
    row += [rate("numba"), f"{work / numba.seconds / 1e9 / peak:.0%}" if work else "-"]
    row += [rate("torch")] * bool(torch_ops)
    how = "new" if numba.compiled else "cached" if numba.loaded else ""
    row += [f"{numba.compile_seconds:.2f}s {how}".strip(),
            f"{max(r.max_rel_error for r in t.values()):.0e}"]
    return row


def _torch(threads):
    """benchmarks/torch_ops.py with PyTorch set to `threads`, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    import torch_ops

    torch_ops.torch = torch
    return torch_ops


def matmul_peak(np, torch_ops, n: int) -> tuple[float, str]:
    """The float64 matrix product's speed on n x n matrices, GFLOP/s: best of NumPy's and
    PyTorch's (each the best of 5 calls), and a note of both."""
    a, b = np.random.default_rng(0).standard_normal((2, n, n))
    calls = {"numpy": lambda: a @ b}
    if torch_ops:
        ta, tb = torch_ops.torch.from_numpy(a), torch_ops.torch.from_numpy(b)
        calls["torch"] = lambda: ta @ tb
    rates = {}
    for name, call in calls.items():
        call()
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        rates[name] = 2 * n**3 / best / 1e9
    return max(rates.values()), ", ".join(f"{k} {v:.1f}" for k, v in rates.items()) + f", n={n}"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


if __name__ == "__main__":
    main()
