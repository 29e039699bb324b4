"""Every lesson's NumPy, Numba and CUDA versions, timed on the same inputs in one run.

    python benchmarks/kernels.py [--lesson ID ...] [--quick] [--repeat 5]

Each lesson names its heavy functions and sizes in `BENCHMARKS` (in its cases.py) and makes
the inputs with `race_inputs`. Each time is the best of `--repeat` calls after a first call
(JIT compile and warm-up, shown as "compile"). Ratios are NumPy's time over the backend's:
above 1 means faster than NumPy. Without a GPU the CUDA column measures Numba's simulator,
which says nothing about speed, and the quick sizes are used.
"""

import argparse

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", action="append", help="only these lessons (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, a quick look")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from tutor.accel import cuda_target
    from tutor.plugins import load_registry
    from tutor.race import race

    on_simulator = cuda_target() == "simulator"
    quick = args.quick or on_simulator
    repeat = 2 if on_simulator else args.repeat
    print("CUDA: simulator (no GPU found): its times measure a Python thread per CUDA "
          "thread and mean nothing about GPU speed; sizes are kept small." if on_simulator
          else "CUDA: GPU")
    header = (f"{'function':30} {'size':>9} {'numpy':>11} {'numba':>11} {'cuda':>11} "
              f"{'numba x':>8} {'cuda x':>8} {'compile nb/cu':>14} {'max err':>8}")
    for lesson in load_registry():
        if args.lesson and lesson.id not in args.lesson:
            continue
        cases = lesson.module("cases")
        benchmarks = getattr(cases, "BENCHMARKS", {})
        if not benchmarks:
            continue
        print(f"\n{lesson.id}\n{header}\n{'-' * len(header)}")
        rng = np.random.default_rng(0)
        for name, (quick_sizes, full_sizes) in benchmarks.items():
            for size in quick_sizes if quick else full_sizes:
                t = {r.backend: r for r in race(lesson, name, cases.race_inputs(name, rng, size),
                                                repeat=repeat)}
                base = t["numpy"].seconds
                err = max(r.max_rel_error for r in t.values())
                row = f"{name:30} {size:>9} {ms(base)}"
                for backend in ("numba", "cuda"):
                    row += f" {ms(t[backend].seconds)}" if backend in t else f" {'-':>11}"
                for backend in ("numba", "cuda"):
                    row += f" {base / t[backend].seconds:7.2f}x" if backend in t else f" {'-':>8}"
                compile_nb = t["numba"].compile_seconds if "numba" in t else 0.0
                compile_cu = t["cuda"].compile_seconds if "cuda" in t else 0.0
                print(f"{row} {compile_nb:6.2f}s/{compile_cu:5.2f}s {err:8.1e}")
    if on_simulator:
        print("\n(cuda times above are the simulator's: correctness only, not speed)")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f}ms"


if __name__ == "__main__":
    main()
