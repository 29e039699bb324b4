"""NumPy, Numba and CUDA versions of the backprop layers, timed on the same inputs in one run.

    python benchmarks/kernels.py [--quick] [--repeat 5]

Each time is the best of `--repeat` calls after a first call (JIT compile and warm-up, shown
as "compile"). Ratios are NumPy's time over the backend's: above 1 means faster than NumPy.
Without a GPU the CUDA column measures Numba's simulator, which says nothing about speed.
"""

import argparse

import numpy as np

# (function, size label, sizes) for a GPU, and small ones for --quick or the simulator
FULL = {
    "affine_forward": [256, 512, 1024],  # N = D = M
    "relu_forward": [10**5, 10**6, 10**7],  # elements
    "softmax_cross_entropy": [(1024, 10), (16384, 100), (8192, 1000)],  # (N, C)
}
QUICK = {
    "affine_forward": [16, 40],
    "relu_forward": [256, 2048],
    "softmax_cross_entropy": [(16, 10), (128, 10)],
}


def inputs(name, size, rng):
    """Arguments for one call of `name` at `size`."""
    if name == "affine_forward":
        return rng.standard_normal((size, size)), rng.standard_normal((size, size)), \
            rng.standard_normal(size)
    if name == "relu_forward":
        return (rng.standard_normal(size),)
    n, c = size
    return rng.standard_normal((n, c)) * 10, rng.integers(0, c, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a quick look")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from tutor.accel import cuda_target
    from tutor.plugins import load_registry
    from tutor.race import race

    target = cuda_target()
    on_simulator = target == "simulator"
    sizes = QUICK if args.quick or on_simulator else FULL
    repeat = 2 if on_simulator else args.repeat
    if on_simulator:
        print("CUDA: simulator (no GPU found). Its times measure a Python thread per CUDA "
              "thread and mean nothing about GPU speed; sizes are kept small.")
    else:
        print("CUDA: GPU")
    lesson = load_registry().get("backprop")
    rng = np.random.default_rng(0)

    header = (f"{'function':22} {'size':>12} {'numpy':>10} {'numba':>10} {'cuda':>10} "
              f"{'numba x':>8} {'cuda x':>8} {'compile nb/cu':>15} {'max err':>8}")
    print(header)
    print("-" * len(header))
    for name, name_sizes in sizes.items():
        for size in name_sizes:
            t = {r.backend: r for r in race(lesson, name, inputs(name, size, rng),
                                            repeat=repeat)}
            base = t["numpy"].seconds
            label = "x".join(map(str, size)) if isinstance(size, tuple) else str(size)
            err = max(r.max_rel_error for r in t.values())
            print(f"{name:22} {label:>12} {ms(base)} {ms(t['numba'].seconds)} "
                  f"{ms(t['cuda'].seconds)} {base / t['numba'].seconds:7.2f}x "
                  f"{base / t['cuda'].seconds:7.2f}x "
                  f"{t['numba'].compile_seconds:6.2f}s/{t['cuda'].compile_seconds:5.2f}s "
                  f"{err:8.1e}")
    if on_simulator:
        print("(cuda times above are the simulator's: correctness only, not speed)")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f}ms"


if __name__ == "__main__":
    main()
