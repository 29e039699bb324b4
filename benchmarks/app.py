"""The app's two latencies as a learner sees them, in a terminal, each against a baseline
timed in the same run.

    python benchmarks/app.py [--runs 9] [--saves 20] [--size 100x32]

The app runs as `tutor start` in a pseudo-terminal of the given size; this script types
into it and reads what it draws, so every time here ends when the text is painted (written
to the terminal), not when the app has computed it.

1. Start-up: from launching `tutor start` (a new Python process) to the lesson map painted
   (its first frame: every lesson listed), and to the progress painted in it (the
   "Continue" line, once the quizzes are read in the background), against a one-widget
   Textual app painting its first screen (the floor any Textual app pays). Target for the
   first frame: < 0.5 s.
2. Save to verdict: from the ctrl+s key press to the verdict painted, once warm (the
   grading process is spawned and waiting), for a light exercise (backprop.affine_backward:
   five small cases) and a heavy one (cnn.conv_backward: convolutions with gradient checks),
   against `tutor check` of the same exercise as a fresh process. Each save alternates a
   passing and a failing version of the function (one character edited, as a learner
   would), so every verdict differs from the one on screen and has to be painted. Target:
   p50 < 150 ms.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

FLOOR = """
from textual.app import App
from textual.widgets import Static

class Floor(App):
    def compose(self):
        yield Static("hello from the floor")

Floor().run()
"""

# Each exercise is the reference's, renamed, behind a wrapper whose gradient of the bias is
# scaled by s: s = 1 passes, s = 2 fails with a wrong value.
WRAPPERS = {
    "backprop.affine_backward": '''

def affine_backward(dout, x, w, b):
    s = 1
    dx, dw, db = _affine_backward(dout, x, w, b)
    return dx, dw, db * s
''',
    "cnn.conv_backward": '''

def conv_backward(dout, x, w, b, stride=1, pad=0):
    s = 1
    dx, dw, db = _conv_backward(dout, x, w, b, stride, pad)
    return dx, dw, db * s
''',
}


def _control_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A program in a pseudo-terminal: keys in, everything it draws out."""

    def __init__(self, argv: list[str], size: tuple[int, int], cwd: Path | None = None):
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        # Its own session with the pseudo-terminal as its controlling terminal: should this
        # script die, closing the terminal hangs the program up, and it ends.
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, start_new_session=True, close_fds=True,
                                     preexec_fn=_control_terminal)
        os.close(slave)
        self.fd = master
        self.seen = b""

    def read_for(self, seconds: float) -> bytes:
        """Whatever is drawn in the next ``seconds``."""
        out = b""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            if select.select([self.fd], [], [], left)[0]:
                out += self._read()
        return out

    def wait_for(self, text: str, timeout: float = 30.0, required: bool = True) -> float:
        """Read until ``text`` is drawn (counting from now); the time it arrived (0.0 when
        it is not drawn in time and not ``required``)."""
        wanted, drawn = text.encode(), b""
        deadline = time.perf_counter() + timeout
        while wanted not in drawn:
            left = deadline - time.perf_counter()
            if (left <= 0 or self.proc.poll() is not None) and not required:
                return 0.0
            if left <= 0 or self.proc.poll() is not None:
                tail = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "",
                              self.seen.decode(errors="replace"))[-1500:]
                sys.exit(f"never drew {text!r}; the last output: {tail!r}")
            if select.select([self.fd], [], [], left)[0]:
                drawn = drawn[-len(wanted):] + self._read()
        return time.perf_counter()

    def settle(self, quiet: float = 0.15) -> None:
        """Read until nothing is drawn for ``quiet`` seconds."""
        while self.read_for(quiet):
            pass

    def _read(self) -> bytes:
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the program ended
            data = b""
        self.seen = (self.seen + data)[-20000:]
        return data

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.press(b"\x11")  # ctrl+q
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.fd)


def startup(argv: list[str], painted: list[str], size: tuple[int, int],
            cwd: Path) -> list[float]:
    """Seconds from the launch until each text in ``painted`` is drawn (in that order)."""
    term = Terminal(argv, size, cwd)
    try:
        return [term.wait_for(text) - term.started for text in painted]
    finally:
        term.close()


def workspace(root: Path) -> Path:
    """A workspace with every lesson, the two benchmarked files wrapped as above."""
    from tutor.plugins import load_registry
    from tutor.workspace import Workspace

    ws = Workspace.create(root)
    registry = load_registry()
    for lesson in registry:
        ws.add_stub(lesson)
    for exercise_id, wrapper in WRAPPERS.items():
        lesson_id, name = exercise_id.split(".")
        lesson = registry.get(lesson_id)
        assert lesson is not None
        source = lesson.reference_path.read_text().replace(f"def {name}(", f"def _{name}(")
        (ws.root / f"{lesson_id}.py").write_text(source + wrapper)
    return ws.root


def save_to_verdict(root: Path, exercise_id: str, saves: int,
                    size: tuple[int, int]) -> list[float]:
    from tutor.progress import OPEN
    from tutor.store import Store

    lesson_id, name = exercise_id.split(".")
    store = Store(root / ".tutor" / "progress.db")
    store.record_event(OPEN, lesson_id, {"exercise": name})  # "continue" opens it
    store.close()
    term = Terminal([sys.executable, "-m", "tutor", "start", "--workspace", str(root)],
                    size, root)
    times, retried = [], 0
    try:
        term.wait_for("Continue")
        term.settle()
        term.press(b"c")  # back to the exercise in progress: the cursor on its def line
        term.wait_for(name)
        term.settle(0.5)
        term.press(b"\x1b[B")  # down, to the line `    s = 1`
        for i in range(saves + 1):
            passing = i % 2 == 1  # s = 2 first: it fails, then s = 1 passes, and so on
            for _ in range(3):
                for key in (b"\x1b[F", b"\x7f", b"1" if passing else b"2"):  # end, bksp, s
                    term.press(key)
                    term.settle(0.05)  # one key at a time, as typed
                term.settle()  # the edit drawn; the learner pauses, the next process waits
                time.sleep(0.3)
                term.settle()
                started = time.perf_counter()
                term.press(b"\x13")  # ctrl+s
                painted = term.wait_for("✓" if passing else "✗", timeout=10, required=False)
                if painted:
                    break
                retried += 1  # the edit did not arrive as typed: typed again, and reported
            else:
                sys.exit(f"no verdict painted for {exercise_id} after three tries")
            if i:  # the first save warms up
                times.append(painted - started)
    finally:
        term.close()
    if retried:
        print(f"  ({retried} save(s) of {exercise_id} typed again: no new verdict in 10 s)")
    return times


def cold_check(root: Path, exercise_id: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tutor", "check", exercise_id], cwd=root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--size", default="100x32", help="the terminal, COLUMNSxROWS")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.split("x"))
    size = (columns, rows)

    with tempfile.TemporaryDirectory() as tmp:
        root = workspace(Path(tmp) / "work")
        print(f"in a {columns}x{rows} pseudo-terminal, until painted:")
        ours, progress, floor = [], [], []
        for _ in range(args.runs):  # interleaved, so a noisy moment hits both
            first, shown = startup([sys.executable, "-m", "tutor", "start", "--workspace",
                                    str(root)], ["Attention", "Continue"], size, root)
            ours.append(first)
            progress.append(shown)
            floor.extend(startup([sys.executable, "-c", FLOOR], ["hello from the floor"],
                                 size, root))
        a, b = statistics.median(ours), statistics.median(floor)
        print(f"start-up to the lesson map: {a * 1e3:6.0f} ms  (median of {args.runs}; "
              f"min {min(ours) * 1e3:.0f}, max {max(ours) * 1e3:.0f}); its progress "
              f"painted at {statistics.median(progress) * 1e3:.0f} ms")
        print(f"a one-widget Textual app:   {b * 1e3:6.0f} ms  -> {a / b:.2f}x the floor; "
              f"target < 500 ms: {'met' if a < 0.5 else 'NOT met'}")
        for exercise_id in WRAPPERS:
            times = save_to_verdict(root, exercise_id, args.saves, size)
            p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
            c = cold_check(root, exercise_id)
            print(f"save to verdict, {exercise_id}: {p50 * 1e3:4.0f} ms p50, "
                  f"{p90 * 1e3:.0f} ms p90, {min(times) * 1e3:.0f}-{max(times) * 1e3:.0f} ms "
                  f"({len(times)} saves); target p50 < 150 ms: "
                  f"{'met' if p50 < 0.15 else 'NOT met'}")
            print(f"  `tutor check {exercise_id}`: {c * 1e3:.0f} ms (a fresh process) -> the "
                  f"app is {c / p50:.1f}x faster")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
