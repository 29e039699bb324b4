"""tutor's gradient check against a CS231n-style `eval_numerical_gradient_array` loop, on the
same function and sizes, in one run. Target: tutor's check >= 30x faster.

    python benchmarks/gradcheck.py [--n 64 --d 128 --m 64]

Both check affine_backward's dx, dw and db. The loop perturbs every coordinate (two forward
calls each); tutor's check compares along random directions and at sampled coordinates (a
fixed handful of calls). Both are also run on a wrong dw to show each one catches it.
"""

import argparse
import time

import numpy as np

from tutor.gradcheck import check_gradient
from tutor.plugins import load_registry


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """CS231n's numerical gradient: one coordinate at a time."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        pos = f(x).copy()
        x[ix] = oldval - h
        neg = f(x).copy()
        x[ix] = oldval
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def rel_error(x, y):
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def cs231n_check(ref, x, w, b, dout, grads):
    fs = [lambda x_: ref.affine_forward(x_, w, b), lambda w_: ref.affine_forward(x, w_, b),
          lambda b_: ref.affine_forward(x, w, b_)]
    return max(rel_error(eval_numerical_gradient_array(f, a.copy(), dout), g)
               for f, a, g in zip(fs, (x, w, b), grads, strict=True))


def tutor_check(ref, x, w, b, dout, grads):
    def loss(args):
        return float(np.sum(dout * ref.affine_forward(*args)))

    return max(check_gradient(loss, [x, w, b], i, g) for i, g in enumerate(grads))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--d", type=int, default=128)
    parser.add_argument("--m", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ref = load_registry().get("backprop").reference
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((args.n, args.d)), rng.standard_normal((args.d, args.m))
    b, dout = rng.standard_normal(args.m), rng.standard_normal((args.n, args.m))
    grads = ref.affine_backward(dout, x, w, b)
    wrong = (grads[0], grads[1].T.reshape(grads[1].shape), grads[2])  # a scrambled dw

    results = {}
    for name, fn in (("cs231n loop", cs231n_check), ("tutor check_gradient", tutor_check)):
        best, err = float("inf"), 0.0
        for _ in range(args.repeat):
            started = time.perf_counter()
            err = fn(ref, x, w, b, dout, grads)
            best = min(best, time.perf_counter() - started)
        results[name] = (best, err, fn(ref, x, w, b, dout, wrong))
    base = results["cs231n loop"][0]
    print(f"affine_backward, x {x.shape}, w {w.shape}, b {b.shape}: "
          f"{x.size + w.size + b.size} coordinates")
    print(f"{'method':22} {'best time':>10} {'speed-up':>9} {'rel err (right)':>16} "
          f"{'rel err (wrong dw)':>19}")
    for name, (t, ok, bad) in results.items():
        print(f"{name:22} {t:9.4f}s {base / t:8.1f}x {ok:16.2e} {bad:19.2e}")
    speedup = base / results["tutor check_gradient"][0]
    print(f"\ntarget: >= 30x faster than the loop: {'met' if speedup >= 30 else 'NOT met'} "
          f"({speedup:.0f}x)")


if __name__ == "__main__":
    main()
