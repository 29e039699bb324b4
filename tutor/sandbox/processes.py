"""Starting the learner's process so that nothing of it outlives tutor, and keeping it away
from tutor's own process.

- Processes are started from the main thread or from one long-lived thread: a parent-death
  signal fires when the *thread* that started the process ends, and the app grades from
  short-lived worker threads.
- tutor makes itself non-dumpable before running learner code, so code running as the same
  user cannot open ``/proc/<tutor>/fd`` (and write into tutor's own output) or ptrace it.
- As root, where the process limit does not apply, learner code can fork and ``setsid`` out
  of its process group. tutor then becomes a child subreaper: such orphans are re-parented
  to tutor, found and killed when the sandbox closes (the jail's PID namespace does this by
  itself).
- Scratch folders carry the owning pid in their name; those left behind by a SIGKILL are
  removed by the next run.
"""

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRATCH_PREFIX = "tutor-sandbox-"

_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36

_lock = threading.Lock()
_roots: set[int] = set()  # pids of the sandbox processes tutor started and still owns
_hardened = False
_subreaper = False
_swept = False


def _prctl(option: int, arg: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def harden(reap_orphans: bool) -> None:
    """Once per process, before learner code first runs: non-dumpable, and (as root without
    the jail) a subreaper for the learner's escaped descendants."""
    global _hardened, _subreaper
    with _lock:
        if not _hardened:
            _hardened = True
            _prctl(_PR_SET_DUMPABLE, 0)
        if reap_orphans and not _subreaper and os.geteuid() == 0:
            _subreaper = _prctl(_PR_SET_CHILD_SUBREAPER, 1)


# -- starting processes from a thread that lives as long as tutor ----------------------------

class _Spawner:
    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[Any]]] = \
            queue.SimpleQueue()
        thread = threading.Thread(target=self._loop, name="tutor-spawner", daemon=True)
        thread.start()

    def _loop(self) -> None:
        while True:
            job, answer = self.jobs.get()
            try:
                answer.put((True, job()))
            except BaseException as e:  # handed to the caller, raised there
                answer.put((False, e))

    def run(self, job: Callable[[], Any]) -> Any:
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.jobs.put((job, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value


_spawner: _Spawner | None = None


def popen(argv: list[str], **kwargs: Any) -> "subprocess.Popen[bytes]":
    """subprocess.Popen, from a thread that lives as long as tutor does."""
    global _spawner
    if threading.current_thread() is threading.main_thread():
        proc = subprocess.Popen(argv, **kwargs)
    else:
        with _lock:
            if _spawner is None:
                _spawner = _Spawner()
        proc = _spawner.run(lambda: subprocess.Popen(argv, **kwargs))
    with _lock:
        _roots.add(proc.pid)
    return proc


def kill(proc: "subprocess.Popen[bytes]") -> tuple[int | None, int]:
    """Kill a sandbox process, its group, and (as subreaper) every orphan it left; returns
    its exit status and its peak memory in KiB (0 when unknown)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    code, peak = wait(proc)
    with _lock:
        _roots.discard(proc.pid)
    if _subreaper:
        reap_orphans()
    return code, peak


def wait(proc: "subprocess.Popen[bytes]", timeout: float | None = None) -> tuple[int | None, int]:
    """Wait for the process (None on timeout) and read its peak memory while reaping it."""
    if proc.returncode is not None:
        return proc.returncode, getattr(proc, "peak_kib", 0)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
        except ChildProcessError:  # reaped elsewhere
            return proc.wait(), 0
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.peak_kib = usage.ru_maxrss  # type: ignore[attr-defined]
            return proc.returncode, usage.ru_maxrss
        if deadline is not None and time.monotonic() >= deadline:
            return None, 0
        time.sleep(0.01)


def reap_orphans(rounds: int = 50) -> int:
    """Kill the processes re-parented to tutor that are not tutor's own: descendants of a
    sandbox that left its session. Each kill may orphan more, hence the rounds."""
    me, my_sid, killed = os.getpid(), os.getsid(0), 0
    for _ in range(rounds):
        found = [pid for pid, ppid, sid in _children_of(me)
                 if sid != my_sid and pid not in _roots]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            killed += 1
    return killed


def _children_of(parent: int) -> list[tuple[int, int, int]]:
    """(pid, ppid, sid) of every process whose parent is ``parent`` (from /proc)."""
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) "
        if len(fields) > 3 and int(fields[1]) == parent:
            out.append((int(entry.name), parent, int(fields[3])))
    return out


# -- scratch folders --------------------------------------------------------------------------

def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    """A scratch folder for one sandbox, named for this process so a later run can tell
    whether its owner is gone."""
    sweep_scratch()
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def sweep_scratch() -> None:
    """Remove scratch folders whose tutor died without cleaning up (once per process)."""
    global _swept
    if not _swept:
        _swept = True
        sweep(SCRATCH_PREFIX)


def sweep(prefix: str) -> None:
    """Remove the folders ``PREFIX<pid>-*`` in the temporary folder whose process is gone."""
    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for path in root.glob(f"{prefix}*-*"):
            owner = path.name[len(prefix):].partition("-")[0]
            if not owner.isdigit() or _alive(int(owner)):
                continue
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink() and \
                        path.stat().st_uid == os.getuid():
                    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
