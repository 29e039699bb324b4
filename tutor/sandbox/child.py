"""The learner's process: loads one file, then calls its functions on request.

Started by :mod:`tutor.sandbox.supervisor` as ``python -m tutor.sandbox.child REQ RES SHM
LIMITS`` (in the jail the same file runs as ``tutor_sandbox.child``, with none of tutor's
other modules in view). It imports only NumPy and the wire format, so it starts fast. It
never judges results: it reports values, or a failure of a named kind, and the grader
decides. Array arguments arrive as views of a shared buffer that the grader reads back after
each call, so an input changed in place is seen from outside this process.
"""

import builtins
import errno
import faulthandler
import importlib.util
import inspect
import io
import json
import linecache
import mmap
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from .wire import Decoder, Encoder, read_message, write_message

KEEP_CHARS = 4000  # printed output shown back to the learner, per call


class OutputLimitExceeded(BaseException):
    """Raised into learner code that prints more than the limit."""


class InputCalled(BaseException):
    """Raised into learner code that reads standard input."""


class Capture(io.TextIOBase):
    """sys.stdout/sys.stderr for learner code: keeps the start, counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.kept, self.count = limit, io.StringIO(), 0

    def reset(self) -> None:
        self.kept, self.count = io.StringIO(), 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        s = str(s)
        if self.count < KEEP_CHARS:
            self.kept.write(s[: KEEP_CHARS - self.count])
        self.count += len(s)
        if self.count > self.limit:
            raise OutputLimitExceeded
        return len(s)

    def text(self) -> str:
        return self.kept.getvalue()


class NoInput(io.TextIOBase):
    def readable(self) -> bool:
        return True

    def read(self, *args: Any) -> str:
        raise InputCalled

    def readline(self, *args: Any) -> str:  # type: ignore[override]
        raise InputCalled


def no_input(*args: Any) -> str:
    raise InputCalled


def safe_str(exc: BaseException) -> str:
    """str(exc), even when the exception's own __str__ raises."""
    try:
        return str(exc)
    except BaseException:
        return f"<{type(exc).__name__} whose message could not be shown>"


class Child:
    def __init__(self, res_fd: int, shm_fd: int, capture: Capture, file_limit: int):
        self.res_fd, self.shm_fd, self.capture = res_fd, shm_fd, capture
        self.file_limit = file_limit
        self.pid = os.getpid()
        self.module: Any = None
        self.path: str = ""
        self.request = 0  # the id of the request being answered

    # -- reporting ------------------------------------------------------------------------

    def reply(self, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        header["id"] = self.request
        header["printed"] = self.printed()
        write_message(self.res_fd, header, blobs or [])

    def printed(self) -> dict[str, Any]:
        """What learner code printed since the last reply (Python and C level)."""
        text, count = self.capture.text(), self.capture.count
        try:
            raw = os.pread(1, KEEP_CHARS, 0)
            count += os.fstat(1).st_size
            text += raw.decode("utf-8", "replace")
            os.ftruncate(1, 0)  # the size limit on C-level output applies per call
            os.lseek(1, 0, os.SEEK_SET)  # fds 1 and 2 share this offset
        except OSError:
            pass
        self.capture.reset()
        return {"text": text[:KEEP_CHARS], "chars": count}

    def failure(self, kind: str, message: str, exc: BaseException | None = None) -> None:
        header: dict[str, Any] = {"status": "error", "kind": kind, "message": message}
        if exc is not None:
            header["traceback"], header["line"] = self.learner_traceback(exc)
        self.reply(header)

    def learner_traceback(self, exc: BaseException) -> tuple[str, int | None]:
        """The frames of the learner's own file, newest last, and the line that raised."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.path]
        lines = [f'  line {f.lineno}, in {f.name}: {(f.line or "").strip()}' for f in frames]
        text = "\n".join(lines[-6:] + [f"{type(exc).__name__}: {safe_str(exc)[:500]}"])
        return text, (frames[-1].lineno if frames else None)

    # -- requests -------------------------------------------------------------------------

    def load(self, path: str, source: bytes, siblings: bool) -> None:
        """Run the learner's file (its source comes with the request: the file itself may
        be out of view)."""
        self.path = path
        stem = Path(path).stem
        name = (stem if stem.isidentifier() and stem not in sys.modules
                and stem not in sys.stdlib_module_names else "learner")
        if siblings:
            sys.path.append(str(Path(path).parent))  # helper modules, never ahead of stdlib
        # Tracebacks quote lines from here: in the jail the file itself is out of view.
        text = source.decode("utf-8", "replace")
        linecache.cache[path] = (len(text), None, text.splitlines(True), path)
        try:
            code = compile(source, path, "exec")
        except SyntaxError as e:
            where = f"line {e.lineno}" + (f", column {e.offset}" if e.offset else "")
            text = (e.text or "").rstrip()
            self.reply({"status": "error", "kind": "syntax-error", "line": e.lineno,
                        "message": f"{where}: {e.msg}" + (f"\n    {text}" if text else "")})
            return
        except ValueError as e:  # e.g. a NUL byte in the source
            self.failure("syntax-error", f"{Path(path).name} cannot be compiled: {e}")
            return
        spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        module.__file__ = path
        sys.modules[name] = module
        loaded = self.run(lambda: exec(code, module.__dict__), at_import=True)
        self.leave_if_forked()
        if loaded is not _FAILED:
            self.module = module
            self.reply({"status": "ok"})

    def leave_if_forked(self) -> None:
        """A copy made by os.fork() in learner code must not answer the grader."""
        if os.getpid() != self.pid:
            os._exit(0)

    def call(self, fn_name: str, args: list[Any], max_bytes: int) -> None:
        fn: Any = None
        try:
            fn = getattr(self.module, fn_name, None)
            found = callable(fn)
        except BaseException as e:  # a module-level __getattr__ may raise anything
            self.failure("exception", f"looking up {fn_name} raised {type(e).__name__}", e)
            return
        if not found:
            self.failure("missing-function", f"{Path(self.path).name} defines no function "
                         f"named {fn_name!r}")
            return
        try:
            inspect.signature(fn).bind(*args)
        except TypeError:
            self.failure("wrong-signature", f"{fn_name}{_signature(fn)} cannot be called with "
                         f"{len(args)} positional argument(s)")
            return
        except ValueError:
            pass  # no signature to inspect (a builtin): let the call decide
        lists = {i: (len(a), [id(x) for x in a]) for i, a in enumerate(args)
                 if isinstance(a, list)}
        started = time.perf_counter()
        result = self.run(lambda: fn(*args))
        self.leave_if_forked()
        if result is _FAILED:
            return
        seconds = time.perf_counter() - started
        encoder = Encoder(max_bytes)
        try:
            value = encoder.encode(result)
            aliases = _aliases(result, args)
        except BaseException as e:  # a learner object's methods may raise anything
            self.failure("wrong-type", f"the returned value could not be read: "
                         f"{type(e).__name__}: {safe_str(e)[:200]}")
            return
        changed = [i for i, (n, ids) in lists.items()
                   if len(args[i]) != n or [id(x) for x in args[i]] != ids]
        self.reply({"status": "ok", "value": value, "aliases": aliases,
                    "lists_changed": changed, "seconds": seconds}, encoder.blobs)

    def launch(self, fn_name: str, args: list[Any], params: list[str], grid: list[int],
               block: list[int], max_bytes: int, bench: dict[str, Any] | None = None) -> None:
        """Launch a CUDA kernel of the file under the simulator (see kernels.py): its outputs
        are written into the shared buffer, and the reply carries what was measured. With
        ``bench`` (outputs and repeat), time it on the GPU instead."""
        if _kernels is None:
            self.failure("exception", "this process cannot run CUDA kernels (the simulator "
                         "was not loaded when it started)")
            return
        try:
            obj = getattr(self.module, fn_name, None)
        except BaseException as e:  # a module-level __getattr__ may raise anything
            self.failure("exception", f"looking up {fn_name} raised {type(e).__name__}", e)
            return
        if obj is None:
            self.failure("missing-function", f"{Path(self.path).name} defines no kernel "
                         f"named {fn_name!r}")
            return
        if bench is not None:
            timed = self.run(lambda: _kernels.bench(obj, fn_name, args, bench["outputs"], grid,
                                                    block, bench["repeat"]))
            if timed is not _FAILED:
                encoder = Encoder(max_bytes)
                self.reply({"status": "ok", "value": encoder.encode(timed), "aliases": [],
                            "lists_changed": [], "seconds": timed["seconds"]}, encoder.blobs)
            return
        try:
            fn = _kernels.kernel_function(obj, fn_name)
            inspect.signature(fn).bind(*args)
        except _kernels.KernelError as e:
            self.failure("wrong-type", safe_str(e))
            return
        except TypeError:
            self.failure("wrong-signature", f"{fn_name}{_signature(fn)} cannot be called with "
                         f"{len(args)} argument(s)")
            return
        except ValueError:
            pass
        started = time.perf_counter()
        report = self.run(lambda: _kernels.launch(obj, fn_name, args, params, grid, block))
        self.leave_if_forked()
        if report is _FAILED:
            return
        encoder = Encoder(max_bytes)
        value = encoder.encode(report)
        self.reply({"status": "ok", "value": value, "aliases": [], "lists_changed": [],
                    "seconds": time.perf_counter() - started}, encoder.blobs)

    def run(self, thunk: Any, at_import: bool = False) -> Any:
        """Run learner code, turning every way it can go wrong into a named failure."""
        where = " while the file was being imported" if at_import else ""
        try:
            return thunk()
        except NotImplementedError as e:
            self.failure("not-implemented", f"not implemented yet{where}", e)
        except SystemExit as e:
            self.failure("exit", f"the code called sys.exit({_short(e.code)}){where}", e)
        except KeyboardInterrupt as e:
            self.failure("keyboard-interrupt", f"the code raised KeyboardInterrupt{where}", e)
        except InputCalled as e:
            self.failure("input", f"the code tried to read input (input() or sys.stdin){where}; "
                         "graded code gets no keyboard", e)
        except OutputLimitExceeded as e:
            self.failure("output-limit", f"the code printed more than {self.capture.limit:,} "
                         f"characters{where}", e)
        except MemoryError as e:
            self.failure("memory-limit", f"the code ran out of its memory limit{where}", e)
        except RecursionError as e:
            self.failure("exception", f"infinite recursion{where}", e)
        except ImportError as e:
            kind = "import-error" if at_import else "exception"
            self.failure(kind, f"{type(e).__name__}: {safe_str(e)}{where}", e)
        except OSError as e:
            if e.errno == errno.EFBIG and self.printed_too_much():
                self.failure("output-limit", f"the code printed far too much{where}", e)
            elif e.errno in (errno.EFBIG, errno.ENOSPC):
                self.failure("output-limit", f"the code wrote too much to disk{where} (files "
                             f"are limited to {self.file_limit >> 20} MB)", e)
            else:
                self.failure("import-error" if at_import else "exception",
                             f"{type(e).__name__}: {safe_str(e)[:300]}{where}", e)
        except BaseException as e:
            kind = "import-error" if at_import else "exception"
            self.failure(kind, f"{type(e).__name__}: {safe_str(e)[:300]}{where}", e)
        return _FAILED

    def printed_too_much(self) -> bool:
        try:
            return os.fstat(1).st_size >= self.file_limit - (1 << 16)
        except OSError:
            return False


_FAILED = object()
_kernels: Any = None  # the kernel launcher, when the sandbox asked for it at start


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:
        return "..."
    return text if len(text) <= 60 else text[:57] + "..."


def _signature(fn: Any) -> str:
    try:
        return str(inspect.signature(fn))
    except (TypeError, ValueError):
        return "(...)"


def _arrays(v: Any, depth: int = 0) -> list[np.ndarray]:
    """The arrays in a value, looking inside lists, tuples and dicts."""
    if isinstance(v, np.ndarray):
        return [v]
    if isinstance(v, tuple | list) and depth < 4:
        return [a for item in list(v)[:64] for a in _arrays(item, depth + 1)]
    if isinstance(v, dict) and depth < 4:
        return [a for item in list(dict.values(v))[:64] for a in _arrays(item, depth + 1)]
    return []


def _aliases(result: Any, args: list[Any]) -> list[int]:
    """Indices of the inputs that a returned array is, or is a view of (also for arrays
    inside a list argument)."""
    outs = _arrays(result)
    return [i for i, arg in enumerate(args)
            if any(o is a or np.may_share_memory(o, a) for a in _arrays(arg) for o in outs)]


def _limit(which: int, value: int, hard: int | None = None) -> None:
    """Set the soft and hard limits, so learner code cannot raise them again."""
    try:
        _, top = resource.getrlimit(which)
        hard = value if hard is None else hard
        if top != resource.RLIM_INFINITY:
            value, hard = min(value, top), min(hard, top)
        resource.setrlimit(which, (value, hard))
    except (ValueError, OSError):
        pass


class NoTutorImports:
    """Graded code may not import tutor's own modules: they hold the reference solutions."""

    BLOCKED = ("tutor", "tutor_lessons", "lessons")

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        top = name.partition(".")[0]
        if top in self.BLOCKED or top.startswith("tutor_lesson_"):
            raise ImportError(f"graded code may not import {name!r}: tutor's own modules "
                              "hold the reference solutions")
        return None


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


# -- Linux process controls (ctypes, no-ops elsewhere) --------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38


def _prctl(option: int, arg: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with(parent: int | None) -> None:
    """Be killed when the grader goes, however it ends (and leave now if it already went).
    In the jail the parent is the jail's own init (``parent`` None), which dies with tutor."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(0)


def drop_privileges() -> None:
    """Run as root without root's powers: no capabilities now or after an exec, so the code
    cannot read a non-dumpable tutor's /proc entries or undo the limits."""
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    if os.geteuid() != 0:
        return
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    try:
        import ctypes

        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]

        libc = ctypes.CDLL(None, use_errno=True)
        header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
        libc.capset(ctypes.byref(header), data)
    except (OSError, AttributeError):
        pass


# A seccomp filter that lets the process start threads but no processes: fork, vfork and
# clone without CLONE_THREAD fail with EPERM (clone3 with ENOSYS, so threads fall back to
# clone), for root too; system calls of another ABI (i386, x32) are refused outright.
# Signals may go to this process only (kill, tkill, tgkill, rt_sigqueueinfo and
# rt_tgsigqueueinfo with its own pid; pidfd_send_signal never): run unjailed as the same
# user, the code could otherwise stop or kill tutor itself.
_SYSCALLS = {  # machine: (audit arch, clone, clone3, [fork, vfork], [signal-sending calls])
    "x86_64": (0xC000003E, 56, 435, [57, 58], [62, 200, 234, 129, 297]),
    "aarch64": (0xC00000B7, 220, 435, [], [129, 130, 131, 138, 240]),
}
_PIDFD_SEND_SIGNAL = 424  # the same number on every architecture


def forbid_new_processes() -> bool:
    """Install the filter; False where it cannot be (then RLIMIT_NPROC stands in)."""
    table = _SYSCALLS.get(os.uname().machine) if sys.platform.startswith("linux") else None
    if table is None:
        return False
    arch, clone, clone3, forks, signalling = table
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    # (code, jump if true, jump if false, k); jumps count the instructions skipped
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm),
            (ld, 0, 0, 0), (jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]
    for nr in forks:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, eperm)]
    prog += [(jeq, 0, 1, _PIDFD_SEND_SIGNAL), (ret, 0, 0, eperm)]
    me = os.getpid()
    for nr in signalling:  # the first argument (its low 32 bits: a pid_t) must be this pid
        prog += [(jeq, 0, 4, nr), (ld, 0, 0, 16), (jeq, 0, 1, me), (ret, 0, 0, allow),
                 (ret, 0, 0, eperm)]
    prog += [(jeq, 0, 1, clone3), (ret, 0, 0, enosys),
             (jeq, 1, 0, clone), (ret, 0, 0, allow),
             (ld, 0, 0, 16), (jset, 0, 1, 0x00010000),  # args[0] & CLONE_THREAD
             (ret, 0, 0, allow), (ret, 0, 0, eperm)]
    try:
        import ctypes

        class Filter(ctypes.Structure):
            _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                        ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

        class Program(ctypes.Structure):
            _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Filter))]

        filters = (Filter * len(prog))(*[Filter(*f) for f in prog])
        program = Program(len(prog), filters)
        libc = ctypes.CDLL(None, use_errno=True)
        if not _prctl(_PR_SET_NO_NEW_PRIVS, 1):
            return False
        return libc.prctl(22, 2, ctypes.byref(program), 0, 0) == 0  # SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


def main() -> None:
    req_fd, res_fd, shm_fd = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    limits = json.loads(sys.argv[4])
    drop_privileges()
    die_with(limits["parent"])  # after dropping privileges, which may reset it
    sys.dont_write_bytecode = True  # leave no __pycache__ in the learner's workspace

    # Printed output: fds 1 and 2 are a file the grader reads too. C-level writes are capped
    # by RLIMIT_FSIZE, Python-level writes by a counter that stops the code past the limit.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    faulthandler.enable(file=2)  # a segfault reports where, into the capture
    capture = Capture(limits["output_chars"])
    sys.stdout = sys.stderr = capture
    sys.stdin = NoInput()
    builtins.input = no_input

    if limits.get("kernels"):  # the CUDA simulator, loaded before the file and the limits
        global _kernels
        from . import kernels as _kernels

        _kernels.load()

    sys.meta_path.insert(0, NoTutorImports())
    file_limit = limits["output_chars"] * 4 + (1 << 20)
    _limit(resource.RLIMIT_CORE, 0)
    if not forbid_new_processes():
        _limit(resource.RLIMIT_NPROC, 0)  # no fork, and no threads (not enforced for root)
    _limit(resource.RLIMIT_FSIZE, file_limit)
    _limit(resource.RLIMIT_CPU, limits["cpu_seconds"], limits["cpu_seconds"] + 5)
    if limits.get("memory_bytes"):  # on top of what the interpreter and NumPy already map
        _limit(resource.RLIMIT_AS, _address_space() + limits["memory_bytes"])

    child = Child(res_fd, shm_fd, capture, file_limit)
    child.reply({"status": "ready"})
    while True:
        try:
            header, blobs = read_message(req_fd)
        except EOFError:
            os._exit(0)
        child.request = header["id"]
        op = header["op"]
        try:
            if op == "load":
                child.load(header["path"], blobs[0], header["siblings"])
            elif op == "call":
                size = header["shared"]
                shared = mmap.mmap(shm_fd, size) if size else None
                args = [Decoder(blobs, shared).decode(d) for d in header["args"]]
                child.call(header["fn"], args, header["max_bytes"])
            elif op == "launch":
                size = header["shared"]
                shared = mmap.mmap(shm_fd, size) if size else None
                args = [Decoder(blobs, shared).decode(d) for d in header["args"]]
                child.launch(header["fn"], args, header["params"], header["grid"],
                             header["block"], header["max_bytes"], header.get("bench"))
            elif op == "exit":
                os._exit(0)
        except BaseException as e:  # learner code broke something the child relies on
            child.leave_if_forked()
            child.failure("exception", f"the graded code left the process unusable: "
                          f"{type(e).__name__}: {safe_str(e)[:200]}")


if __name__ == "__main__":
    main()
