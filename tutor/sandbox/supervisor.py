"""The grader's side of the sandbox: starts the learner's process, enforces the limits,
and turns every way the process can end into a named outcome."""

import contextlib
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .wire import _LEN, clean_text, decode, encode, unpack, write_message

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

_CRASH_SIGNALS: dict[int, str] = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating-point exception",
    signal.SIGILL: "illegal instruction",
    signal.SIGABRT: "aborted",
}


@dataclass(frozen=True)
class Limits:
    """What learner code may use: seconds of wall clock per exercise, extra address space,
    and printed characters per call."""

    seconds: float = 10.0
    memory_mb: int = 2048
    output_chars: int = 1_000_000


@dataclass
class Outcome:
    """What happened when learner code ran: a value, or an error of a named kind."""

    ok: bool
    kind: str = ""  # error kind: timeout, exception, not-implemented, crash, ...
    message: str = ""
    value: Any = None
    inputs_after: list[Any] = field(default_factory=list)
    aliases: list[int] = field(default_factory=list)
    printed: str = ""
    printed_chars: int = 0
    traceback: str = ""
    line: int | None = None
    seconds: float = 0.0
    at_load: bool = False  # the failure happened while the file was being loaded


class Sandbox:
    """One learner file loaded in a separate, limited process.

    The process is started lazily and restarted after anything that ends it (a timeout, a
    crash, ``os._exit``), so one bad exercise never stops the others from being graded.
    """

    def __init__(self, path: Path | str, limits: Limits = Limits()):
        self.path = str(Path(path).resolve())
        self.limits = limits
        self.proc: subprocess.Popen[bytes] | None = None
        self.loaded: Outcome | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="tutor-sandbox-")
        self._req = self._res = -1
        self._spawned_at = 0.0
        self._load_sent = False

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the process and ask it to load the file, without waiting for it."""
        self.spawn()
        if not self._load_sent:
            self._load_sent = True
            write_message(self._req, {"op": "load", "path": self.path}, [])

    def spawn(self) -> None:
        """Start the process (it imports NumPy and waits) without loading the file yet: a
        spawned sandbox grades a file saved later with no start-up cost."""
        if self.proc is not None:
            return
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        limits = {"output_chars": self.limits.output_chars,
                  "memory_bytes": self.limits.memory_mb << 20,
                  "raw_out": str(Path(self._tmp.name) / "printed")}
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        env.pop("PYTHONSTARTUP", None)
        import json

        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "tutor.sandbox.child", str(req_r), str(res_w),
             json.dumps(limits)],
            pass_fds=(req_r, res_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, cwd=self._tmp.name,
            env=env,
        )
        os.close(req_r)
        os.close(res_w)
        self._req, self._res = req_w, res_r
        self._spawned_at = time.monotonic()
        self.loaded = None
        self._load_sent = False

    def load(self, timeout: float) -> Outcome:
        """Wait for the file to be loaded; its outcome (a syntax error, say) is kept."""
        self.start()
        if self.loaded is None:
            outcome = self._receive(timeout, "loading the file")
            outcome.at_load = True
            self.loaded = outcome
        return self.loaded

    def switch(self, path: Path | str) -> None:
        """Load another file in the same process (trusted files only: dev check's mutants)."""
        self.path = str(Path(path).resolve())
        self.loaded = None
        if self.proc is not None and self._load_sent:
            try:
                write_message(self._req, {"op": "load", "path": self.path}, [])
            except OSError:
                self._kill()

    def interrupt(self) -> None:
        """Kill the process from another thread: a call waiting on it ends at once (the
        waiting thread cleans up). Safe at any moment; close() is still needed."""
        proc = self.proc
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def close(self) -> None:
        if self.proc is not None:
            self._kill()
        self._tmp.cleanup()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ----------------------------------------------------------------------------

    def call(self, fn: str, args: list[Any], timeout: float) -> Outcome:
        """Call ``fn(*args)`` in the learner's process, within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        loaded = self.load(timeout)
        if not loaded.ok:
            return loaded
        blobs: list[bytes] = []
        header = {"op": "call", "fn": fn, "args": [encode(a, blobs) for a in args]}
        try:
            write_message(self._req, header, blobs)
        except (BrokenPipeError, OSError):
            return self._ended("calling " + fn, deadline)
        return self._receive(max(0.0, deadline - time.monotonic()), f"running {fn}")

    # -- internals ------------------------------------------------------------------------

    def _receive(self, timeout: float, doing: str) -> Outcome:
        deadline = time.monotonic() + timeout
        try:
            (n,) = _LEN.unpack(self._read(8, deadline))
            header, blobs = unpack(self._read(n, deadline))
        except TimeoutError:
            self._kill()
            return Outcome(False, "timeout", f"no result after {timeout:.1f} s {doing}: an "
                           "infinite loop, or far too slow", printed=self._printed_tail())
        except EOFError:
            return self._ended(doing, deadline)
        except (ValueError, KeyError, IndexError, struct.error):
            self._kill()  # someone wrote into the result pipe: nothing from it can be trusted
            return Outcome(False, "crash", f"the result channel was corrupted while {doing} "
                           "(did the code write to a file descriptor it did not open?)")
        try:
            return self._outcome(header, blobs)
        except (ValueError, KeyError, IndexError, TypeError):
            self._kill()
            return Outcome(False, "crash", f"an unreadable result came back while {doing}")

    def _outcome(self, header: dict[str, Any], blobs: list[bytes]) -> Outcome:
        printed = header.get("printed", {})
        common: dict[str, Any] = {"printed": clean_text(printed.get("text", "")),
                  "printed_chars": int(printed.get("chars", 0))}
        if header["status"] != "ok":
            return Outcome(False, header["kind"], clean_text(header["message"]),
                           traceback=clean_text(header.get("traceback", "")),
                           line=header.get("line"), **common)
        if "value" not in header:
            return Outcome(True, **common)
        return Outcome(True, value=decode(header["value"], blobs),
                       inputs_after=[decode(d, blobs) for d in header["inputs_after"]],
                       aliases=header["aliases"], seconds=header["seconds"], **common)

    def _read(self, n: int, deadline: float) -> bytes:
        chunks, left = [], n
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._res], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self._res, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _ended(self, doing: str, deadline: float) -> Outcome:
        """The result channel closed: say how the process ended (or that it closed it)."""
        assert self.proc is not None
        try:
            wait = max(0.2, min(2.0, deadline - time.monotonic()))
            code: int | None = self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            code = None
        tail = self._printed_tail()
        self._kill()
        if code is None:
            return Outcome(False, "crash", f"the code closed tutor's result channel while "
                           f"{doing} and kept running", printed=tail)
        if code is not None and code < 0:
            sig = -code
            if sig == signal.SIGXFSZ:
                return Outcome(False, "output-limit", f"the process printed far too much while "
                               f"{doing} and was stopped", printed=tail)
            if sig in _CRASH_SIGNALS:
                return Outcome(False, "crash", f"the process crashed while {doing}: "
                               f"{signal.Signals(sig).name} ({_CRASH_SIGNALS[sig]})", printed=tail)
            name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() \
                else f"signal {sig}"
            why = (" (out of memory?)" if sig == signal.SIGKILL
                   else " (a signal the code sent or scheduled, e.g. signal.alarm?)")
            return Outcome(False, "killed", f"the process was killed by {name} while {doing}"
                           + why, printed=tail)
        return Outcome(False, "exit", f"the process exited with code {code} while {doing} "
                       "(os._exit() or a C extension ended it)", printed=tail)

    def _printed_tail(self) -> str:
        try:
            data = (Path(self._tmp.name) / "printed").read_bytes()
        except OSError:
            return ""
        return clean_text(data[-2000:].decode("utf-8", "replace"))

    def _kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for fd in (self._req, self._res):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.proc = None
        self.loaded = None


def same_array(a: Any, b: Any) -> bool:
    """Bitwise equality of an input before and after a call (NaN equals NaN), looking inside
    lists, tuples and dicts of arrays."""
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, list | tuple):
        return (isinstance(b, list | tuple) and len(a) == len(b)
                and all(same_array(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            same_array(a[k], b[k]) for k in a)
    return True
