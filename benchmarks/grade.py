"""Grading a class: `tutor grade` on a synthetic class of backprop submissions, jailed and
unjailed, against grading the same files one by one with `tutor check` (the baseline an
instructor without `tutor grade` would script). Target: 300 jailed submissions in under 60 s
on a 2-core machine, and a submission that loops forever costs no more than its time limit.

    python benchmarks/grade.py [--students 300] [--baseline 40] [--jobs N] [--time-limit 2]

The class: the reference and an honest rewrite (correct), every one of the lesson's mutants
(wrong), and a few that hang (at import, in a function) or crash (a segfault, a memory
bomb). Every file is unique (a comment with the student's number), so nothing is graded
once for several students. The baseline runs `tutor check` on a sample of the same files
(every k-th, hangs and crashes included in proportion) and is scaled to the whole class.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HONEST = """
def affine_forward(x, w, b):
    return np.einsum("nd,dm->nm", x, w) + b[None, :]

def relu_forward(x):
    return x * (x > 0)

def relu_backward(dout, x):
    return np.where(x > 0, dout, 0.0)

def sigmoid_forward(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))
"""

PATHOLOGICAL = {
    "hang_at_import": "\nwhile True:\n    pass\n",
    "hang_in_function": "\ndef sigmoid_backward(dout, x):\n    while True:\n        pass\n",
    "segfault": "\ndef affine_forward(x, w, b):\n    import ctypes\n"
                "    return ctypes.string_at(0)\n",
    "memory_bomb": "\ndef relu_backward(dout, x):\n    return bytearray(1 << 40)\n",
}


def make_class(folder: Path, students: int, reference: Path, mutants: list[Path]) -> dict:
    """Write ``students`` files into ``folder``; return {kind: count}."""
    base = reference.read_text()
    correct = [base, base + HONEST]
    wrong = [base + "\n\n" + m.read_text() for m in mutants]
    bad = [(f"pathological:{name}", base + code) for name, code in PATHOLOGICAL.items()]
    folder.mkdir(parents=True)
    counts: dict[str, int] = {}
    step = max(1, students // len(bad))
    for i in range(students):
        if i % step == step // 2 and i // step < len(bad):
            kind, text = bad[i // step]
        elif i % 5 in (0, 3):  # 40% correct, 60% one of the lesson's known mistakes
            kind, text = "correct", correct[i % 2]
        else:
            kind, text = "mutant", wrong[(i * 7) % len(wrong)]
        (folder / f"student{i:04d}.py").write_text(f"# student {i}\n{text}")
        counts[kind.split(":")[0]] = counts.get(kind.split(":")[0], 0) + 1
    return counts


def tutor_command() -> list[str]:
    tutor = Path(sys.executable).with_name("tutor")
    return [str(tutor)] if tutor.exists() else [sys.executable, "-m", "tutor"]


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-800:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--baseline", type=int, default=40,
                        help="files graded one by one with `tutor check` (0: skip)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--time-limit", type=float, default=2.0,
                        help="the assignment's seconds per exercise")
    args = parser.parse_args()

    from tutor.plugins import load_registry

    lesson = load_registry().get("backprop")
    mutants = sorted((lesson.folder / "mutants").glob("*.py"))
    tutor = tutor_command()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as tmp:
        root = Path(tmp)
        counts = make_class(root / "class", args.students, lesson.reference_path, mutants)
        (root / "a.toml").write_text(f'format = 1\nlesson = "backprop"\nseed = "benchmark"\n'
                                     f"time_limit = {args.time_limit}\n")
        print(f"class: {args.students} backprop submissions "
              + ", ".join(f"{n} {k}" for k, n in counts.items())
              + f"; time limit {args.time_limit:g} s per exercise")
        grade = [*tutor, "grade", "class", "--lesson", "backprop", "--assignment", "a.toml",
                 *jobs]
        timed([*tutor, "check", "backprop", "--file", str(lesson.reference_path)], root,
              ok=(0, 1))  # warm the file cache and Numba-free imports once
        rows = {}
        for jail in ("bwrap", "none"):
            out = root / f"out-{jail}"
            rows[f"tutor grade --jail {jail}"] = (
                args.students, timed([*grade, "--out", str(out), "--jail", jail], root))
        # Every result is kept: running again only writes the outputs.
        resumed = timed([*grade, "--out", str(root / "out-bwrap"), "--jail", "bwrap"], root)
        if args.baseline:
            files = sorted((root / "class").glob("*.py"))
            sample = files[:: max(1, len(files) // args.baseline)][: args.baseline]
            started = time.perf_counter()
            for path in sample:
                timed([*tutor, "check", "backprop", "--file", str(path), "--jail", "bwrap",
                       "--timeout", str(args.time_limit)], root, ok=(0, 1))
            one_by_one = time.perf_counter() - started
            rows["tutor check, one by one (bwrap)"] = (len(sample), one_by_one)

        loops = {}
        for name in ("correct", "hang_at_import", "hang_in_function"):
            single = root / f"single-{name}"
            single.mkdir()
            text = lesson.reference_path.read_text() + PATHOLOGICAL.get(name, "")
            (single / "student.py").write_text(text)
            wall = timed([*tutor, "grade", single.name, "--lesson", "backprop",
                          "--assignment", "a.toml", "--out", f"{single.name}-out"], root)
            result = json.loads((root / f"{single.name}-out" / "results" / "student.json")
                                .read_text())
            loops[name] = (wall, result["execution_time"])

    base_rate = rows["tutor check, one by one (bwrap)"][0] / \
        rows["tutor check, one by one (bwrap)"][1] if args.baseline else None
    print(f"\n{'how':34} {'files':>6} {'seconds':>8} {'per second':>11}  vs one by one")
    for name, (n, seconds) in rows.items():
        rate = n / seconds
        ratio = f"{rate / base_rate:5.1f}x" if base_rate else "  -"
        print(f"{name:34} {n:6d} {seconds:8.1f} {rate:11.2f}  {ratio}")
    if base_rate:
        print(f"  (one by one, scaled to the class: {args.students / base_rate:.0f} s)")
    print(f"\nrun again on the same folder (every result kept): {resumed:.1f} s")
    jailed = rows["tutor grade --jail bwrap"][1]
    print(f"\ntarget: {args.students} jailed submissions in under 60 s: "
          f"{'met' if jailed < 60 else 'NOT met'} ({jailed:.1f} s)")
    print("\none submission graded alone (`tutor grade` on a folder of one file): the time "
          "its grading took, and what the loop cost over a correct file")
    for name, (wall, seconds) in loops.items():
        extra = seconds - loops["correct"][1]
        note = "" if name == "correct" else (
            f"  +{extra:.1f} s = {extra / args.time_limit:.2f} x the time limit")
        print(f"  {name:16} graded in {seconds:5.2f} s ({wall:4.1f} s for the command){note}")

if __name__ == "__main__":
    main()
