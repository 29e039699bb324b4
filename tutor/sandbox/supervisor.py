"""The grader's side of the sandbox: starts the learner's process, enforces the limits,
and turns every way the process can end into a named outcome.

Nothing the process sends is trusted. A reply must answer the request it was sent for (by
id), fit the size the request allowed, and report either values or a failure of a kind the
learner's process may report (:data:`CHILD_KINDS`). Anything else is a ``protocol-error``,
and the process is replaced. Array arguments are handed over in shared memory and read back
here after the call, so an input changed in place is seen however the code hides it.
"""

import contextlib
import errno
import json
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from . import jail, processes
from .wire import (
    _LEN,
    DEFAULT_MAX_BYTES,
    MAX_BLOBS,
    MAX_HEADER,
    Decoder,
    Encoder,
    ProtocolError,
    clean_text,
    unpack,
    write_message,
)

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

# The failures the learner's process may report about itself. Everything else (pass,
# timeout, crash, mutated-input, ...) only the grader decides.
CHILD_KINDS = frozenset({
    "not-implemented", "exit", "keyboard-interrupt", "input", "output-limit", "memory-limit",
    "exception", "import-error", "syntax-error", "missing-function", "wrong-signature",
    "wrong-type",
})

_CRASH_SIGNALS: dict[int, str] = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating-point exception",
    signal.SIGILL: "illegal instruction",
    signal.SIGABRT: "aborted",
}


_SIGNALS = {int(s) for s in signal.Signals}


@dataclass(frozen=True)
class Limits:
    """What learner code may use: seconds of wall clock per exercise, extra address space,
    printed characters per call, and the jail it runs in (``auto``, ``bwrap`` or ``none``)."""

    seconds: float = 10.0
    memory_mb: int = 2048
    output_chars: int = 1_000_000
    jail: str = "auto"

    @property
    def cpu_seconds(self) -> int:
        """A backstop for a process that outlives its wall-clock limit somehow."""
        return int(max(600, 20 * self.seconds))


@dataclass
class Outcome:
    """What happened when learner code ran: a value, or an error of a named kind."""

    ok: bool
    kind: str = ""  # error kind: timeout, exception, not-implemented, crash, ...
    message: str = ""
    value: Any = None
    mutated: list[int] = field(default_factory=list)  # inputs changed in place
    aliases: list[int] = field(default_factory=list)  # inputs returned (or a view of them)
    outputs: dict[int, np.ndarray] = field(default_factory=dict)  # a kernel's, read back
    printed: str = ""
    printed_chars: int = 0
    traceback: str = ""
    line: int | None = None
    seconds: float = 0.0
    at_load: bool = False  # the failure happened while the file was being loaded


class _JailFailed(Exception):
    """bwrap could not set up the jail (before any learner code ran)."""


class Sandbox:
    """One learner file loaded in a separate, limited process.

    The process is started lazily and restarted after anything that ends it (a timeout, a
    crash, ``os._exit``, a protocol error), so one bad exercise never stops the others from
    being graded. ``hide`` names folders the jail must keep out of view (the lesson's).
    With ``kernels``, the process loads the CUDA simulator's launcher as it starts (its
    ``packages`` and ``env`` must provide Numba and the simulator) and can :meth:`launch`.
    """

    def __init__(self, path: Path | str, limits: Limits = Limits(), hide: Iterable[Path] = (),
                 packages: Iterable[str] = jail.PACKAGES, env: Mapping[str, str] | None = None,
                 kernels: bool = False):
        self.path = str(Path(path).resolve())
        self.limits = limits
        self.jail = jail.resolve(limits.jail)
        self.hide = tuple(hide)
        self.packages = tuple(packages)  # what the jail shows besides the Python runtime
        self.env = dict(env or {})  # added to the learner's process's environment
        self.kernels = kernels
        self.proc: subprocess.Popen[bytes] | None = None
        self.loaded: Outcome | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._req = self._res = self._shm = self._printed = -1
        self._load_id: int | None = None
        self._ready = False
        self._failed_load: Outcome | None = None  # a load that ended the process: not retried
        self._start_error: OSError | None = None

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the process and ask it to load the file, without waiting for it."""
        self.spawn()
        if self.proc is not None and self._load_id is None:
            self._send_load()

    def spawn(self) -> None:
        """Start the process (it imports NumPy and waits) without loading the file yet: a
        spawned sandbox grades a file saved later with no start-up cost."""
        if self.proc is not None:
            return
        processes.harden(reap_orphans=self.jail == "none")
        self._close_fds()
        self._shm, self._printed = _memfile("tutor-inputs"), _memfile("tutor-printed")
        req_r, self._req = os.pipe()
        self._res, res_w = os.pipe()
        limits = {"output_chars": self.limits.output_chars,
                  "memory_bytes": self.limits.memory_mb << 20,
                  "cpu_seconds": self.limits.cpu_seconds,
                  "parent": None if self.jail == "bwrap" else os.getpid(),
                  "kernels": self.kernels}
        fds = [str(req_r), str(res_w), str(self._shm), json.dumps(limits)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        if self.jail == "bwrap":
            argv = jail.command(["-S", "-P", "-m", "tutor_sandbox.child", *fds],
                                hide=[*self.hide, Path(self.path).parent],
                                packages=self.packages, env=self.env)
            cwd = None
        else:
            if self._scratch is None:
                self._scratch = processes.scratch_dir()
            argv = [sys.executable, "-P", "-m", "tutor.sandbox.child", *fds]
            env.update(self.env)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT,
                                                              env.get("PYTHONPATH")]))
            cwd = self._scratch.name
        try:
            self.proc = processes.popen(
                argv, pass_fds=(req_r, res_w, self._shm), stdin=subprocess.DEVNULL,
                stdout=self._printed, stderr=self._printed, start_new_session=True, cwd=cwd,
                env=env)
        except OSError as e:
            self.proc = None
            self._start_error = e
        finally:
            os.close(req_r)
            os.close(res_w)
        self.loaded, self._load_id, self._ready = None, None, False

    def load(self, timeout: float) -> Outcome:
        """Wait for the file to be loaded; its outcome (a syntax error, say) is kept."""
        deadline = time.monotonic() + timeout
        while self.loaded is None:
            if self._failed_load is None:
                self.start()
            if self._failed_load is not None:
                return self._failed_load
            if self.proc is None:
                return self._cannot_start()
            try:
                if not self._ready:
                    ready = self._receive(deadline, "starting", None, "ready")
                    if not ready.ok:  # no learner code has run yet: not the learner's doing
                        why = ready.printed.strip().splitlines()[-1:] or [ready.message]
                        return Outcome(False, "sandbox-error", "the process that runs your code "
                                       f"could not start: {why[0][:300]}", at_load=True)
                    self._ready = True
                outcome = self._receive(deadline, "loading the file", self._load_id, "load")
            except _JailFailed as e:
                if self.limits.jail == "bwrap":
                    return Outcome(False, "sandbox-error", f"the jail could not be set up: {e}",
                                   at_load=True)
                jail.fell_back(str(e))
                jail.resolve("auto")  # leaves the one-line notice
                self.jail = "none"
                continue
            outcome.at_load = True
            self.loaded = outcome
            if outcome.kind == "import-error" and self.jail == "bwrap":
                outcome.message += _sibling_hint(outcome.message, Path(self.path).parent)
            if not outcome.ok and self.proc is None:  # it ended the process: say it once
                outcome.message += " (the file is not loaded again for the other exercises)"
                self._failed_load = outcome
        return self.loaded

    def switch(self, path: Path | str) -> None:
        """Load another file in the same process (trusted files only: dev check's mutants)."""
        self.path = str(Path(path).resolve())
        self.loaded, self._failed_load = None, None
        if self.proc is not None and self._load_id is not None:
            self._send_load()

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
        self._close_fds()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ----------------------------------------------------------------------------

    def call(self, fn: str, args: list[Any], timeout: float,
             max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
        """Call ``fn(*args)`` in the learner's process, within ``timeout`` seconds. The reply
        may carry at most ``max_bytes`` of arrays; larger ones come back as their shape."""
        deadline = time.monotonic() + timeout
        loaded = self.load(timeout)
        if not loaded.ok:
            return loaded
        return self._request({"op": "call", "fn": fn}, args, deadline, max_bytes)

    def launch(self, kernel: str, args: list[Any], params: list[str], grid: list[int],
               block: list[int], outputs: list[int], timeout: float,
               max_bytes: int = DEFAULT_MAX_BYTES, bench: int = 0) -> Outcome:
        """Launch the CUDA kernel ``kernel`` on ``args`` (the sandbox must have been made
        with ``kernels``): ``outcome.outputs`` holds the arrays at the indices ``outputs``
        as the kernel left them in the shared buffer (read here, never sent back), and
        ``outcome.value`` what the launcher measured. With ``bench`` (a sandbox whose
        environment leaves the GPU in view), the kernel runs on the GPU instead and
        ``outcome.value`` is its best time of ``bench`` launches."""
        deadline = time.monotonic() + timeout
        loaded = self.load(timeout)
        if not loaded.ok:
            return loaded
        header: dict[str, Any] = {"op": "launch", "fn": kernel, "params": params, "grid": grid,
                                  "block": block}
        if bench:
            header["bench"] = {"outputs": list(outputs), "repeat": bench}
        return self._request(header, args, deadline, max_bytes, outputs)

    def _request(self, header: dict[str, Any], args: list[Any], deadline: float,
                 max_bytes: int, outputs: Sequence[int] = ()) -> Outcome:
        fn = header["fn"]
        descs, data, regions = _shared_layout(args)
        request = secrets.randbits(48)
        header = {**header, "id": request, "args": descs, "shared": len(data),
                  "max_bytes": max_bytes}
        try:
            os.ftruncate(self._shm, len(data))
            os.pwrite(self._shm, data, 0)
            write_message(self._req, header, [])
        except OSError:
            return self._ended("calling " + fn, deadline)
        outcome = self._receive(deadline, f"running {fn}", request, "call", max_bytes,
                                nargs=len(args))
        if outcome.ok:
            after = _read_back(self._shm, len(data))
            outcome.mutated = sorted({i for i, start, end in regions
                                      if after[start:end] != data[start:end]
                                      and i not in outputs} | set(outcome.mutated))
            for i, start, end in regions:
                if i in outputs and len(after) == len(data):
                    arg = args[i]
                    outcome.outputs[i] = np.frombuffer(after[start:end], dtype=arg.dtype
                                                       ).reshape(arg.shape).copy()
        return outcome

    # -- internals ------------------------------------------------------------------------

    def _send_load(self) -> None:
        try:
            source = Path(self.path).read_bytes()
        except OSError as e:
            self._failed_load = Outcome(False, "import-error", f"cannot read {self.path}: "
                                        f"{e.strerror or e}", at_load=True)
            self._load_id = -1
            return
        self._load_id = secrets.randbits(48)
        with contextlib.suppress(OSError):  # gone: reading its reply says how it ended
            write_message(self._req, {"op": "load", "id": self._load_id, "path": self.path,
                                      "siblings": self.jail == "none"}, [source])

    def _cannot_start(self) -> Outcome:
        e = self._start_error
        what = f"{e.strerror or e}" if e is not None else "unknown error"
        hint = (" (too many processes: a process limit was reached)"
                if e is not None and e.errno == errno.EAGAIN else "")
        return Outcome(False, "sandbox-error", f"tutor could not start the process that runs "
                       f"your code: {what}{hint}", at_load=True)

    def _receive(self, deadline: float, doing: str, request: int | None, op: str,
                 max_bytes: int = 0, nargs: int = 0) -> Outcome:
        """One reply, checked: it must answer ``request`` and follow the protocol."""
        try:
            (n,) = _LEN.unpack(self._read(8, deadline))
            limit = max_bytes + MAX_HEADER + MAX_BLOBS * 256 + (1 << 16)
            if n > limit:
                raise ProtocolError(f"a reply of {n:,} bytes, over the {limit:,} allowed")
            header, blobs = unpack(self._read(n, deadline))
            return _outcome(header, blobs, request, op, nargs)
        except TimeoutError:
            self._kill()
            return Outcome(False, "timeout", f"no result within the time limit while {doing}: "
                           "an infinite loop, or far too slow", printed=self._printed_tail())
        except EOFError:
            if op == "ready" and self.jail == "bwrap":
                reason = self._jail_failure()
                if reason:
                    raise _JailFailed(reason) from None
            return self._ended(doing, deadline)
        except ProtocolError as e:
            self._kill()  # nothing more from this process can be trusted
            return Outcome(False, "protocol-error", f"the learner's process broke tutor's "
                           f"protocol while {doing}: {e} (did the code write to a file "
                           "descriptor it did not open, or replace tutor's own functions?)")

    def _jail_failure(self) -> str:
        """bwrap's own error, when it failed before the learner's process could start."""
        assert self.proc is not None
        code, _ = processes.wait(self.proc, 2.0)
        text = self._printed_tail().strip()
        if code is not None and code > 0 and text.startswith("bwrap:"):
            self._kill()
            return text.splitlines()[0][:300]
        return ""

    def _read(self, n: int, deadline: float) -> bytearray:
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._res], [], [], remaining)[0]:
                raise TimeoutError
            k = os.readv(self._res, [view[got:got + (1 << 20)]])
            if not k:
                raise EOFError
            got += k
        return buf

    def _ended(self, doing: str, deadline: float) -> Outcome:
        """The result channel closed: say how the process ended (or that it closed it)."""
        assert self.proc is not None
        wait = max(0.2, min(2.0, deadline - time.monotonic()))
        code, peak_kib = processes.wait(self.proc, wait)
        tail = self._printed_tail()
        self._kill()
        if code is None:
            return Outcome(False, "crash", f"the code closed tutor's result channel while "
                           f"{doing} and kept running", printed=tail)
        if self.jail == "bwrap" and code > 128 and code - 128 in _SIGNALS:
            code = 128 - code  # bwrap exits with 128 + the signal that ended its child
        if code < 0:
            sig = -code
            if sig == signal.SIGXFSZ:
                return Outcome(False, "output-limit", f"the process wrote far too much (to its "
                               f"output or to disk) while {doing} and was stopped",
                               printed=tail)
            if sig in (signal.SIGXCPU,):
                return Outcome(False, "timeout", f"the process used up its CPU-time limit "
                               f"({self.limits.cpu_seconds} s) while {doing}", printed=tail)
            if sig in _CRASH_SIGNALS:
                return Outcome(False, "crash", f"the process crashed while {doing}: "
                               f"{signal.Signals(sig).name} ({_CRASH_SIGNALS[sig]})", printed=tail)
            name = signal.Signals(sig).name if sig in _SIGNALS else f"signal {sig}"
            if sig == signal.SIGKILL:
                why = (f" (it had used {peak_kib >> 10:,} MB: the system may have run out of "
                       "memory)" if peak_kib << 10 >= (self.limits.memory_mb << 20) // 2
                       else " (sent by the code itself, or by another process)")
            else:
                why = " (a signal the code sent or scheduled, e.g. signal.alarm?)"
            return Outcome(False, "killed", f"the process was killed by {name} while {doing}"
                           + why, printed=tail)
        return Outcome(False, "exit", f"the process exited with code {code} while {doing} "
                       "(os._exit() or a C extension ended it)", printed=tail)

    def _printed_tail(self) -> str:
        try:
            size = os.fstat(self._printed).st_size
            data = os.pread(self._printed, 2000, max(0, size - 2000))
        except OSError:
            return ""
        return clean_text(data.decode("utf-8", "replace"))

    def _kill(self) -> None:
        if self.proc is None:
            return
        processes.kill(self.proc)
        for fd in (self._req, self._res):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._req = self._res = -1
        self.proc = None
        self.loaded, self._load_id, self._ready = None, None, False

    def _close_fds(self) -> None:
        for fd in (self._shm, self._printed):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._shm = self._printed = -1


def _sibling_hint(message: str, folder: Path) -> str:
    """In the jail only the graded file is in view: say so when a module next to it is
    what could not be imported."""
    match = re.search(r"No module named '([\w.]+)'", message)
    name = match.group(1).partition(".")[0] if match else ""
    if name and ((folder / f"{name}.py").is_file() or (folder / name).is_dir()):
        return (f" ({name} is next to your file, but in the jail only the graded file is in "
                "view: put its code in this file, or grade your own code with --jail none)")
    return ""


# -- replies ------------------------------------------------------------------------------

def _outcome(header: dict[str, Any], blobs: list[bytes], request: int | None, op: str,
             nargs: int) -> Outcome:
    """A reply as an Outcome; ProtocolError for anything the protocol does not allow."""
    if header.get("id") != (0 if op == "ready" else request):
        raise ProtocolError("a reply to another request")
    printed = header.get("printed", {"text": "", "chars": 0})
    if not (isinstance(printed, dict) and isinstance(printed.get("text"), str)
            and type(printed.get("chars")) is int and printed["chars"] >= 0):
        raise ProtocolError("a malformed report of printed output")
    common: dict[str, Any] = {"printed": clean_text(printed["text"][:4000]),
                              "printed_chars": printed["chars"]}
    status = header.get("status")
    if status == "error" and op != "ready":
        kind = header.get("kind")
        if kind not in CHILD_KINDS:
            shown = clean_text(repr(kind)[:60])
            raise ProtocolError(f"a failure of a kind the learner's process may not report "
                                f"({shown})")
        message, trace = header.get("message"), header.get("traceback", "")
        line = header.get("line")
        if not (isinstance(message, str) and isinstance(trace, str)
                and (line is None or type(line) is int)):
            raise ProtocolError("a failure report with fields of the wrong type")
        return Outcome(False, kind, clean_text(message[:2000]),
                       traceback=clean_text(trace[:8000]), line=line, **common)
    if status == "ready" and op == "ready":
        return Outcome(True, **common)
    if status != "ok" or op == "ready":
        raise ProtocolError(f"a reply with status {clean_text(repr(status)[:40])}")
    if op == "load":
        if "value" in header:
            raise ProtocolError("a value in reply to loading the file")
        return Outcome(True, **common)
    if "value" not in header:
        raise ProtocolError("a reply to a call without a value")
    aliases, changed = _indices(header.get("aliases"), nargs), \
        _indices(header.get("lists_changed"), nargs)
    seconds = header.get("seconds")
    if not (isinstance(seconds, int | float) and 0 <= seconds < 1e9):
        raise ProtocolError("a call time that is not a number of seconds")
    return Outcome(True, value=Decoder(blobs).decode(header["value"]), aliases=aliases,
                   mutated=changed, seconds=float(seconds), **common)


def _indices(value: Any, nargs: int) -> list[int]:
    if not (isinstance(value, list) and len(value) <= nargs
            and all(type(i) is int and 0 <= i < nargs for i in value)):
        raise ProtocolError("argument indices that are not the call's")
    return value


# -- inputs in shared memory --------------------------------------------------------------

_ALIGN = 64


def _shared_layout(args: list[Any]) -> tuple[list[dict[str, Any]], bytes,
                                             list[tuple[int, int, int]]]:
    """Describe the arguments, placing their arrays in one buffer: (descriptions, buffer,
    [(argument index, start, end)] of each array)."""
    chunks: list[bytes] = []
    regions: list[tuple[int, int, int]] = []
    size = 0

    def place(value: Any, arg: int, depth: int) -> dict[str, Any]:
        nonlocal size
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
            order: Literal["C", "F"] = ("F" if value.flags.f_contiguous
                                        and not value.flags.c_contiguous else "C")
            data = value.tobytes(order=order)
            pad = -size % _ALIGN
            chunks.append(b"\0" * pad + data)
            start = size + pad
            size = start + len(data)
            regions.append((arg, start, size))
            return {"t": "shm", "offset": start, "dtype": value.dtype.str,
                    "shape": list(value.shape), "order": order}
        if isinstance(value, list | tuple) and depth < 4:
            return {"t": "tuple" if isinstance(value, tuple) else "list",
                    "items": [place(v, arg, depth + 1) for v in value]}
        return Encoder().encode(value)

    descs = [place(a, i, 0) for i, a in enumerate(args)]
    chunks.append(b"\0" * _ALIGN)  # room for a zero-size array at the end
    return descs, b"".join(chunks), regions


def _read_back(fd: int, n: int) -> bytes:
    """The shared buffer after the call (shorter if the code shrank it: then every array
    counts as changed)."""
    try:
        data = os.pread(fd, n, 0)
    except OSError:
        return b""
    return data if len(data) == n else b""


def _memfile(name: str) -> int:
    """An anonymous file both processes can map or read (memfd on Linux)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create(name, os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as f:
        fd = os.dup(f.fileno())
    os.set_inheritable(fd, False)
    return fd
