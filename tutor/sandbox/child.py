"""The learner's process: loads one file, then calls its functions on request.

Started by :mod:`tutor.sandbox.supervisor` as ``python -m tutor.sandbox.child REQ RES LIMITS``.
It imports only NumPy and the wire format, so it starts fast. It never judges results;
it reports what happened (values, exceptions, printed output, inputs after the call) and
the grader decides.
"""

import builtins
import errno
import faulthandler
import importlib.util
import inspect
import io
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from .wire import decode, encode, read_message, write_message

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


class Child:
    def __init__(self, res_fd: int, capture: Capture, raw_out: Path):
        self.res_fd, self.capture, self.raw_out = res_fd, capture, raw_out
        self.pid = os.getpid()
        self.module: Any = None
        self.path: str = ""

    # -- reporting ------------------------------------------------------------------------

    def reply(self, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        header["printed"] = self.printed()
        write_message(self.res_fd, header, blobs or [])

    def printed(self) -> dict[str, Any]:
        """What learner code printed since the last reply (Python and C level)."""
        text, count = self.capture.text(), self.capture.count
        try:
            with open(self.raw_out, "rb") as f:
                raw = f.read(KEEP_CHARS)
                count += os.fstat(f.fileno()).st_size
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
        text = "\n".join(lines[-6:] + [f"{type(exc).__name__}: {str(exc)[:500]}"])
        return text, (frames[-1].lineno if frames else None)

    # -- requests -------------------------------------------------------------------------

    def load(self, path: str) -> None:
        self.path = path
        stem = Path(path).stem
        name = (stem if stem.isidentifier() and stem not in sys.modules
                and stem not in sys.stdlib_module_names else "learner")
        sys.path.append(str(Path(path).parent))  # sibling helpers, never ahead of the stdlib
        try:
            source = Path(path).read_bytes()
            code = compile(source, path, "exec")
        except SyntaxError as e:
            where = f"line {e.lineno}" + (f", column {e.offset}" if e.offset else "")
            text = (e.text or "").rstrip()
            self.reply({"status": "error", "kind": "syntax-error", "line": e.lineno,
                        "message": f"{where}: {e.msg}" + (f"\n    {text}" if text else "")})
            return
        except (OSError, ValueError) as e:
            self.failure("import-error", f"cannot read {path}: {e}")
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

    def call(self, fn_name: str, args: list[Any], blobs: list[bytes]) -> None:
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
        started = time.perf_counter()
        result = self.run(lambda: fn(*args))
        self.leave_if_forked()
        if result is _FAILED:
            return
        seconds = time.perf_counter() - started
        out_blobs: list[bytes] = []
        try:
            value = encode(result, out_blobs)
            inputs_after = [encode(a, out_blobs) for a in args]
            aliases = _aliases(result, args)
        except BaseException as e:  # a learner object's methods may raise anything
            self.failure("wrong-type", f"the returned value could not be read: "
                         f"{type(e).__name__}: {str(e)[:200]}")
            return
        self.reply({"status": "ok", "value": value, "inputs_after": inputs_after,
                    "aliases": aliases, "seconds": seconds}, out_blobs)

    def run(self, thunk: Any, at_import: bool = False) -> Any:
        """Run learner code, turning every way it can go wrong into a named failure."""
        where = " while the file was being imported" if at_import else ""
        try:
            return thunk()
        except NotImplementedError as e:
            self.failure("not-implemented", f"not implemented yet{where}", e)
        except SystemExit as e:
            self.failure("exit", f"the code called sys.exit({e.code!r}){where}", e)
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
            self.failure(kind, f"{type(e).__name__}: {e}{where}", e)
        except OSError as e:
            if e.errno == errno.EFBIG:  # C-level output hit RLIMIT_FSIZE
                self.failure("output-limit", f"the code printed far too much{where}", e)
            else:
                self.failure("import-error" if at_import else "exception",
                             f"{type(e).__name__}: {str(e)[:300]}{where}", e)
        except BaseException as e:
            kind = "import-error" if at_import else "exception"
            self.failure(kind, f"{type(e).__name__}: {str(e)[:300]}{where}", e)
        return _FAILED


_FAILED = object()


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


def _limit(which: int, value: int) -> None:
    """Set both the soft and the hard limit, so learner code cannot raise it again."""
    try:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
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


def main() -> None:
    req_fd, res_fd = int(sys.argv[1]), int(sys.argv[2])
    limits = json.loads(sys.argv[3])
    sys.dont_write_bytecode = True  # leave no __pycache__ in the learner's workspace

    # Printed output: C-level writes go to a file capped by RLIMIT_FSIZE, Python-level
    # writes to a counter that stops the code past the limit.
    raw_out = Path(limits["raw_out"])
    fd = os.open(raw_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    faulthandler.enable(file=2)  # a segfault reports where, into the capture

    capture = Capture(limits["output_chars"])
    sys.stdout = sys.stderr = capture
    sys.stdin = NoInput()
    builtins.input = no_input

    sys.meta_path.insert(0, NoTutorImports())
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_NPROC, 0)  # no fork or threads (not enforced for root)
    _limit(resource.RLIMIT_FSIZE, limits["output_chars"] * 4 + (1 << 20))
    if limits.get("memory_bytes"):  # on top of what the interpreter and NumPy already map
        _limit(resource.RLIMIT_AS, _address_space() + limits["memory_bytes"])

    child = Child(res_fd, capture, raw_out)
    while True:
        try:
            header, blobs = read_message(req_fd)
        except EOFError:
            os._exit(0)
        op = header["op"]
        try:
            if op == "load":
                child.load(header["path"])
            elif op == "call":
                args = [decode(d, blobs) for d in header["args"]]
                child.call(header["fn"], args, blobs)
            elif op == "exit":
                os._exit(0)
        except BaseException as e:  # learner code broke something the child relies on
            child.leave_if_forked()
            child.failure("exception", f"the graded code left the process unusable: "
                          f"{type(e).__name__}: {str(e)[:200]}")


if __name__ == "__main__":
    main()
