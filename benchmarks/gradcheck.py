"""tutor's sampled gradient check against torch.autograd.gradcheck(fast_mode=True) and a
CS231n-style `eval_numerical_gradient_array` loop, on the same layer, in one run.

    python benchmarks/gradcheck.py [--repeat 3] [--threads 1]

The layer is the backprop lesson's affine_forward / affine_backward (NumPy), checked at
CS231n's size (x 10x6, w 6x5) and at a large one (x 256x1024, w 1024x1024: a million
weights). PyTorch checks it as a custom autograd.Function whose forward and backward call
the NumPy code, so both checks judge the same arithmetic. Each check also runs on a wrong
dw (transposed and reshaped) to show whether it catches it. Columns: the best time, how
many forward and backward calls of the layer the check made, and what it said. The CS231n
loop perturbs every coordinate (two forward calls each) and runs at the small size only.
Target: tutor's check at least as fast as PyTorch's fast mode at both sizes; judged for
the grader's sampling and for fast mode's own (one direction per input).

What each samples, per input: tutor's check as the grader runs it compares the gradient
with central differences along 2 random directions and at 2 random coordinates (2 forward
calls each, so 24 for x, w and b); "tutor, 1 direction" samples as PyTorch's fast mode
does, one random direction per input (6 forward calls). PyTorch's fast mode compares one
number per input, vᵀ J u for one random direction u of the input and v of the output (2
forward calls per input, and backward calls for vᵀ J), with its tolerance atol scaled by
Σu · Σv.
PyTorch comes with the optional `bench` extra (`pip install '.[bench]'`).
"""

import argparse
import os
import sys
import time
from functools import partial

SIZES = {"CS231n": (10, 6, 5), "large": (256, 1024, 1024)}  # N, D, M


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads")
    args = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name) != str(args.threads):  # read only when BLAS loads
            os.environ[name] = str(args.threads)
            os.execv(sys.executable, [sys.executable, *sys.argv])
    run(args.repeat, args.threads)


class Counted:
    """The lesson's affine layer, counting the calls of its forward and backward."""

    def __init__(self, ref):
        self.ref, self.forwards, self.backwards = ref, 0, 0

    def forward(self, x, w, b):
        self.forwards += 1
        return self.ref.affine_forward(x, w, b)

    def backward(self, dout, x, w, b, wrong=False):
        self.backwards += 1
        dx, dw, db = self.ref.affine_backward(dout, x, w, b)
        return dx, (dw.T.reshape(dw.shape) if wrong else dw), db


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """CS231n's numerical gradient: one coordinate at a time."""
    import numpy as np

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
    import numpy as np

    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def cs231n_check(layer, x, w, b, dout, wrong):
    grads = layer.backward(dout, x, w, b, wrong)
    fs = [lambda x_: layer.forward(x_, w, b), lambda w_: layer.forward(x, w_, b),
          lambda b_: layer.forward(x, w, b_)]
    err = max(rel_error(eval_numerical_gradient_array(f, a.copy(), dout), g)
              for f, a, g in zip(fs, (x, w, b), grads, strict=True))
    return f"max rel error {err:.1e}"


def tutor_check(layer, x, w, b, dout, wrong, directions=2, coords=2):
    """tutor's check_gradient: each gradient against central differences of the forward
    along random directions and at sampled coordinates, per input (so that a failure says
    which gradient is wrong). The defaults are what the grader runs."""
    import numpy as np

    from tutor.gradcheck import check_gradient

    def loss(args):
        return float(np.sum(dout * layer.forward(*args)))

    grads = layer.backward(dout, x, w, b, wrong)
    err = max(check_gradient(loss, [x, w, b], i, g, directions=directions, coords=coords)
              for i, g in enumerate(grads))
    return f"max rel error {err:.1e}"


def torch_check(layer, x, w, b, dout, wrong):
    """torch.autograd.gradcheck in fast mode on the same NumPy layer."""
    import torch
    from torch.autograd.gradcheck import GradcheckError

    class Affine(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):
            ctx.save_for_backward(x, w, b)
            return torch.from_numpy(layer.forward(x.numpy(), w.numpy(), b.numpy()))

        @staticmethod
        def backward(ctx, dout):
            arrays = (t.detach().numpy() for t in (dout, *ctx.saved_tensors))
            return tuple(torch.from_numpy(g) for g in layer.backward(*arrays, wrong=wrong))

    inputs = tuple(torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b))
    try:
        torch.autograd.gradcheck(Affine.apply, inputs, fast_mode=True)
    except GradcheckError as e:
        return "fails: " + str(e).split(" for ")[0]  # "Jacobian mismatch"
    return "passes"


def run(repeat: int, threads: int) -> None:
    import numpy as np

    from tutor.plugins import load_registry

    ref = load_registry().get("backprop").reference
    checks = {"tutor, as graded": tutor_check,  # 2 directions + 2 coordinates per input
              "tutor, 1 direction": partial(tutor_check, directions=1, coords=0)}
    try:
        import torch

        torch.set_num_threads(threads)
        checks["torch gradcheck fast"] = torch_check
    except ImportError:
        print("PyTorch is not installed (pip install '.[bench]'): its column is left out.")
    checks["CS231n loop"] = cs231n_check
    print(f"affine layer, float64, {threads} thread(s); best of {repeat} runs")
    header = (f"{'size':7} {'method':22} {'time':>10} {'vs torch':>8} {'fwd':>5} {'bwd':>4}  "
              f"{'right gradients':22} {'wrong dw':22}")
    print(header + "\n" + "-" * len(header))
    for label, (n, d, m) in SIZES.items():
        rng = np.random.default_rng(0)
        x, w = rng.standard_normal((n, d)), rng.standard_normal((d, m))
        b, dout = rng.standard_normal(m), rng.standard_normal((n, m))
        rows = {}
        for name, check in checks.items():
            if name == "CS231n loop" and label != "CS231n":
                continue  # two forward calls per coordinate: hours at the large size
            best = float("inf")
            for _ in range(repeat):
                layer = Counted(ref)
                started = time.perf_counter()
                said = check(layer, x, w, b, dout, False)
                best = min(best, time.perf_counter() - started)
            wrong = check(Counted(ref), x, w, b, dout, True)
            rows[name] = (best, layer.forwards, layer.backwards, said, wrong)
        base = rows.get("torch gradcheck fast", (None,))[0]
        for name, (t, fwd, bwd, said, wrong) in rows.items():
            ratio = f"{base / t:7.1f}x" if base else f"{'-':>8}"
            print(f"{label:7} {name:22} {t * 1e3:8.2f}ms {ratio} {fwd:5} {bwd:4}  "
                  f"{said:22} {wrong:22}")
        if base:
            for name in ("tutor, as graded", "tutor, 1 direction"):
                verdict = "met" if rows[name][0] <= base else "NOT met"
                print(f"{'':7} target ({name} at least as fast as torch's): {verdict}")


if __name__ == "__main__":
    main()
