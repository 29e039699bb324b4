"""Whole-process time of `tutor check backprop` on the reference solution, against
`python -c "import numba"` in the same run, with and without the jail. Targets: check < 3x
the numba import; the jail adds < 30 ms per check process.

    python benchmarks/check_startup.py [--runs 7]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from tutor.plugins import load_registry

    lesson = load_registry().get("backprop")
    tutor = Path(sys.executable).with_name("tutor")
    check = [str(tutor)] if tutor.exists() else [sys.executable, "-m", "tutor"]
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        subprocess.run([*check, "init", str(ws)], check=True, stdout=subprocess.DEVNULL)
        shutil.copy(lesson.reference_path, ws / "backprop.py")
        from tutor.sandbox import jail

        commands = {
            "python -c 'import numba'": [sys.executable, "-c", "import numba"],
            "tutor check backprop": [*check, "check", "backprop", "--jail", "none"],
        }
        if jail.unavailable() is None:
            commands["  ... --jail bwrap"] = [*check, "check", "backprop", "--jail", "bwrap"]
        else:
            print(f"(the jail is not measured: {jail.unavailable()})")
        for cmd in commands.values():  # warm the file cache once
            timed(cmd, ws)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            for name, cmd in commands.items():
                times[name].append(timed(cmd, ws))
    base = statistics.median(times["python -c 'import numba'"])
    print(f"{'command':28} {'median':>8} {'min':>8}  ratio vs numba import")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:28} {med:7.3f}s {min(ts):7.3f}s  {med / base:5.2f}x")
    ratio = statistics.median(times["tutor check backprop"]) / base
    print(f"\ntarget: tutor check < 3x the numba import: {'met' if ratio < 3 else 'NOT met'} "
          f"({ratio:.2f}x, {args.runs} runs)")
    if "  ... --jail bwrap" in times:
        jailed = times["  ... --jail bwrap"]
        ratio = statistics.median(jailed) / base
        extra = (statistics.median(jailed) - statistics.median(times["tutor check backprop"]))
        print(f"target: jailed check < 3x the numba import: {'met' if ratio < 3 else 'NOT met'} "
              f"({ratio:.2f}x)")
        print(f"target: the jail adds < 30 ms per check: {'met' if extra < 0.030 else 'NOT met'} "
              f"({extra * 1e3:+.0f} ms, median of {args.runs})")


if __name__ == "__main__":
    main()
