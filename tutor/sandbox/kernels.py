"""Launching a learner's CUDA kernel under Numba's CUDA simulator, measured.

Runs in the learner's process (in the jail as ``tutor_sandbox.kernels``), so everything it
measures could be faked by a hostile file: the counts and the hazards it reports are a
learning signal that can only make a verdict worse. The values are never reported from here:
the kernel writes its outputs into the grader's shared buffer, which the grader reads back.

The simulator's own launcher runs the kernel's Python function once per CUDA thread, each in
a Python thread. This one does the same with the simulator's kernel objects and its
``cuda`` module swap, and adds:

- global arrays that count each thread's reads and writes of an element (``out[i] += v`` is
  a read and a write) and refuse any index outside the array, negative ones included;
- shared arrays, fresh for every block and filled with NaN, that remember which thread last
  wrote and read each element in which barrier epoch: a read of an element another thread
  wrote, or a write of one another thread read, in the same epoch is a hazard (lock-free:
  one list store per access, atomic under the GIL);
- a barrier that notices when not every thread of the block reaches it (a thread that
  returned, or one waiting at another barrier), and that releases every waiting thread when
  one thread raises, so an exception never leaves the others hanging;
- ``math`` functions that overflow to inf (and give nan or -inf for a log or square root
  out of their domain) the way they do on a GPU, instead of raising.
"""

import _thread
import collections
import contextlib
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def load() -> Any:
    """numba.cuda (the simulator: the sandbox sets NUMBA_ENABLE_CUDASIM=1), imported on
    first use; the sandbox calls this as the process starts."""
    # The jail runs Python with -S: install numba-cuda's redirect of numba.cuda by hand.
    with contextlib.suppress(ImportError):
        import _numba_cuda_redirector  # noqa: F401
    from numba import cuda

    return cuda

# The bit patterns of the NaN that outputs (set by the grader) and shared arrays (set here)
# start filled with: a NaN with one of these payloads was never written.
UNWRITTEN_OUT = 0x7FF8_0000_00C0_FFEE
UNWRITTEN_SHARED = 0x7FF8_0000_005E_A5ED
STACK_BYTES = 1 << 20  # per simulated thread; the default of 8 MiB times 256 threads
# would use 2 GiB of address space, the whole memory limit
SWITCH_INTERVAL = 1e-3  # the GIL's switch interval while a kernel runs (default 5e-3)
MAX_REPORTS = 8  # hazards and barrier problems reported per launch
_TID_BITS = 11  # a stamp is (epoch + 1) << _TID_BITS | thread index in the block
_TID_MASK = (1 << _TID_BITS) - 1


def _nan(bits: int) -> float:
    return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])


class KernelError(Exception):
    """The launch cannot be made (not a kernel, a bad configuration)."""


class OutOfBounds(IndexError):
    """An index outside a global or shared array (on a GPU: a silent wild read or write)."""


class _Aborted(BaseException):
    """Ends a simulated thread whose block is being abandoned (another thread raised)."""


# Strings in the report are NumPy strings: the wire format carries those (as .npy), not str.

# -- simulated threads and blocks -----------------------------------------------------------

class Dim3:
    __slots__ = ("x", "y", "z")

    def __init__(self, x: int, y: int, z: int):
        self.x, self.y, self.z = x, y, z

    def __iter__(self) -> Any:
        return iter((self.x, self.y, self.z))

    def __repr__(self) -> str:
        return f"({self.x}, {self.y}, {self.z})"


class SimThread:
    """One simulated CUDA thread: where it is, what it has read and written, and (when the
    block runs in Python threads) the lock it waits on for its turn."""

    __slots__ = ("block", "threadIdx", "blockIdx", "tid", "epoch", "stamp", "reads",
                 "writes", "error", "gate", "done")

    def __init__(self, block: "Block", idx: tuple[int, int, int]):
        self.block = block
        self.threadIdx = Dim3(*idx)
        self.blockIdx = block.blockIdx
        dim = block.launch.block
        self.tid = idx[0] + dim[0] * (idx[1] + dim[1] * idx[2])
        self.epoch = 0
        self.stamp = (1 << _TID_BITS) | self.tid
        self.reads = self.writes = 0
        self.error: BaseException | None = None
        self.gate: Any = None
        self.done = False

    def passed_barrier(self) -> None:
        self.epoch += 1
        self.stamp = ((self.epoch + 1) << _TID_BITS) | self.tid


class _NeedsThreads(BaseException):
    """A kernel run one thread after another reached a barrier: it needs real threads."""


class Block:
    """One thread block: its shared arrays, and how its threads take turns.

    Run in threads, one simulated thread runs at a time and hands the turn on (a baton):
    the next thread that has not reached the barrier yet, and when all have, the first of
    them again, in a new barrier epoch. One runnable thread at a time makes a run
    reproducible and saves the GIL's contention; an exception hands the turn to every
    thread in turn, each of which then leaves, so none is left waiting.
    """

    def __init__(self, launch: "Launch", block_idx: tuple[int, int, int]):
        self.launch = launch
        self.blockIdx = Dim3(*block_idx)
        self.shared: dict[Any, SharedArray] = {}
        self.threads: list[SimThread] = []
        self.queue: collections.deque[SimThread] = collections.deque()
        self.waiting: list[SimThread] = []
        self.site: tuple[int, Any] | None = None  # (line, code) of the barrier waited at
        self.finished: SimThread | None = None  # the first thread that finished
        self.aborted = False
        self.error: BaseException | None = None
        self.reported = False
        self.all_done = _thread.allocate_lock()
        self.in_turn = False

    # -- in threads ---------------------------------------------------------------------

    def run_threads(self, fn: Callable[..., Any], args: Sequence[Any]) -> None:
        self.all_done.acquire()
        started = 0
        try:
            for t in self.threads:
                t.gate = _thread.allocate_lock()
                t.gate.acquire()
                _thread.start_new_thread(self._body, (t, fn, args))
                started += 1
        except RuntimeError as e:  # cannot start a thread: memory, or a process limit
            self.aborted = True
            for t in self.threads[started:]:
                t.done = True
            self.error = RuntimeError(
                f"could not start thread {started + 1} of a block of {len(self.threads)} (the "
                f"simulator runs each CUDA thread in a thread of its own): {e}. Where Linux's "
                "seccomp filter is missing, the sandbox forbids new processes with a process "
                "limit, which stops threads too.")
            if not started:
                return
        self.queue.extend(self.threads[:started])
        self._next()
        self.all_done.acquire()

    def _body(self, t: SimThread, fn: Callable[..., Any], args: Sequence[Any]) -> None:
        _running[_get_ident()] = t
        t.gate.acquire()
        error = None
        if not self.aborted:
            try:
                with np.errstate(all="ignore"):  # inf and nan, as on a GPU, without warnings
                    fn(*args)
            except _Aborted:
                pass
            except BaseException as e:  # reported by the launching thread
                error = e
        t.done = True
        if error is not None and self.error is None:
            self.error, t.error, self.aborted = error, error, True
        elif error is None and self.waiting and not self.aborted:
            self._diverged(self.waiting[0], self.site[0] if self.site else 0, t, 0,
                           "returned")
        if self.finished is None:
            self.finished = t
        self._next()

    def sync(self, t: SimThread, line: int, code: Any) -> None:
        if self.in_turn:
            raise _NeedsThreads
        if self.aborted:
            raise _Aborted
        if self.finished is not None:
            self._diverged(t, line, self.finished, 0, "returned")
        if not self.waiting:
            self.site = (line, code)
        elif self.site is not None and (line, code) != self.site:
            self._diverged(t, line, self.waiting[0], self.site[0], "elsewhere")
        self.waiting.append(t)
        self._next()
        t.gate.acquire()
        if self.aborted:
            raise _Aborted
        t.passed_barrier()

    def _next(self) -> None:
        """Hand the turn to the next thread (the caller then waits for its own turn, or
        ends); all done: wake the launching thread."""
        if self.aborted:  # every thread still there gets a turn, to leave
            rest = [t for t in self.threads if not t.done and t.gate is not None]
            self.queue.clear()
            self.waiting.clear()
            self.queue.extend(rest)
        if not self.queue and self.waiting:  # every thread is at the barrier: a new epoch
            self.queue.extend(self.waiting)
            self.waiting.clear()
            self.site = None
        while self.queue:
            nxt = self.queue.popleft()
            if not nxt.done:
                nxt.gate.release()
                return
        self.all_done.release()

    # -- one thread after another ---------------------------------------------------------

    def run_in_turn(self, fn: Callable[..., Any], args: Sequence[Any]) -> None:
        me = _get_ident()
        for t in self.threads:
            _running[me] = t
            t.gate = None
            try:
                with np.errstate(all="ignore"):
                    fn(*args)
            except (_Aborted, _NeedsThreads):
                raise
            except BaseException as e:
                self.error = t.error = e
                return
            t.done = True
            if self.finished is None:
                self.finished = t

    def _diverged(self, t: SimThread, line: int, other: SimThread, other_line: int,
                  how: str) -> None:
        if self.reported:
            return
        self.reported = True
        self.launch.report_barrier({
            "block": list(self.blockIdx), "thread": list(t.threadIdx), "line": line,
            "other": list(other.threadIdx), "other_line": other_line, "how": np.str_(how)})


# -- arrays ---------------------------------------------------------------------------------

_running: dict[int, SimThread] = {}  # the simulated thread each Python thread is running
_get_ident = _thread.get_ident


def _current() -> Any:
    """The simulated thread running here (typed loosely: the hot path reads its counters)."""
    return _running[_get_ident()]


def _out_of_bounds(name: str, idx: Any, shape: tuple[int, ...]) -> OutOfBounds:
    t = _running.get(_get_ident())
    who = f" (thread {t.threadIdx} of block {t.blockIdx})" if t is not None else ""
    shown = ", ".join(map(str, idx)) if isinstance(idx, tuple) else str(idx)
    return OutOfBounds(f"{name}[{shown}] is out of bounds: {name} has shape "
                       f"{tuple(shape)}{who}")


def _check(idx: Any, shape: tuple[int, ...]) -> bool:
    """Whether an index is inside the array: integers only, no negative wrap-around."""
    if isinstance(idx, tuple):
        if len(idx) > len(shape):
            return False
        for i, n in zip(idx, shape, strict=False):
            if isinstance(i, slice):
                continue
            if not 0 <= i < n:
                return False
        return True
    if isinstance(idx, slice):
        return True
    return 0 <= idx < shape[0]


class GlobalArray:
    """An input or output of the kernel, in global memory: every element read or written
    is counted for the thread that does it."""

    __slots__ = ("_a", "name", "shape", "size", "ndim", "dtype")

    def __init__(self, array: np.ndarray, name: str):
        self._a, self.name = array, name
        self.shape, self.size, self.ndim, self.dtype = (array.shape, array.size, array.ndim,
                                                        array.dtype)

    def __len__(self) -> int:
        return len(self._a)

    def __getitem__(self, idx: Any) -> Any:
        if not _check(idx, self.shape):
            raise _out_of_bounds(self.name, idx, self.shape)
        value = self._a[idx]
        if isinstance(value, np.ndarray):  # a row or a slice: its elements count when read
            return GlobalArray(value, self.name)
        _current().reads += 1
        return value

    def __setitem__(self, idx: Any, value: Any) -> None:
        if not _check(idx, self.shape):
            raise _out_of_bounds(self.name, idx, self.shape)
        self._a[idx] = value
        _current().writes += 1

    def __repr__(self) -> str:
        return f"<global array {self.name} of shape {self.shape}>"


def _no_slices() -> TypeError:
    return TypeError("a shared array is indexed one element at a time here (no slices)")


class SharedArray:
    """A shared-memory array of one block, starting as NaN, with the last writer and the
    readers of each element in the current barrier epoch (for the hazard check)."""

    __slots__ = ("_a", "_v", "name", "shape", "size", "ndim", "dtype", "_n1", "_w", "_wl",
                 "_r1", "_r1l", "_r2", "_r2l", "_block")

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, name: str, block: Block):
        fill = (_nan(UNWRITTEN_SHARED) if dtype.kind == "f" else
                -123456789 if dtype.kind == "i" else 0)
        self._a = np.full(shape, fill, dtype=dtype)
        self.name, self.shape, self.size, self.ndim, self.dtype = (name, self._a.shape,
                                                                   self._a.size, self._a.ndim,
                                                                   self._a.dtype)
        self._v = self._a.reshape(-1)  # C order: element (i, j) is _v[i * n1 + j]
        self._n1 = self.shape[1] if self.ndim == 2 else 0
        n = self._a.size
        self._w, self._wl = [0] * n, [0] * n
        self._r1, self._r1l, self._r2, self._r2l = [0] * n, [0] * n, [0] * n, [0] * n
        self._block = block

    def __len__(self) -> int:
        return len(self._a)

    def _flat(self, idx: Any) -> int:
        """The element's position in the flat array; OutOfBounds outside the array."""
        if isinstance(idx, tuple):
            if self._n1 and len(idx) == 2:
                i, j = idx
                if 0 <= i < self.shape[0] and 0 <= j < self._n1:
                    return int(i * self._n1 + j)
            elif len(idx) == self.ndim and all(0 <= i < n for i, n in
                                               zip(idx, self.shape, strict=True)):
                return int(np.ravel_multi_index(idx, self.shape))
            if any(isinstance(i, slice) for i in idx):
                raise _no_slices()
            raise _out_of_bounds(self.name, idx, self.shape)
        if isinstance(idx, slice):
            raise _no_slices()
        if self.ndim != 1 or not 0 <= idx < self.shape[0]:
            raise _out_of_bounds(self.name, idx, self.shape)
        return int(idx)

    def __getitem__(self, idx: Any) -> Any:
        k = self._flat(idx)
        value = self._v[k]
        t = _current()
        stamp = t.stamp
        w = self._w[k]
        if w >> _TID_BITS == stamp >> _TID_BITS and w != stamp:
            self._hazard("read-after-write", idx, t, w, self._wl[k])
        r1 = self._r1[k]
        if r1 >> _TID_BITS != stamp >> _TID_BITS:
            self._r1[k], self._r1l[k] = stamp, sys._getframe(1).f_lineno
        elif r1 != stamp and self._r2[k] >> _TID_BITS != stamp >> _TID_BITS:
            self._r2[k], self._r2l[k] = stamp, sys._getframe(1).f_lineno
        return value

    def __setitem__(self, idx: Any, value: Any) -> None:
        k = self._flat(idx)
        t = _current()
        stamp = t.stamp
        epoch = stamp >> _TID_BITS
        r1 = self._r1[k]
        if r1 >> _TID_BITS == epoch:
            if r1 != stamp:
                self._hazard("write-after-read", idx, t, r1, self._r1l[k])
            elif self._r2[k] >> _TID_BITS == epoch:
                self._hazard("write-after-read", idx, t, self._r2[k], self._r2l[k])
        self._v[k] = value
        self._w[k], self._wl[k] = stamp, sys._getframe(1).f_lineno

    def _hazard(self, kind: str, idx: Any, t: SimThread, other: int, other_line: int) -> None:
        launch = self._block.launch
        if len(launch.races) >= MAX_REPORTS or (self.name, kind) in launch.race_kinds:
            return
        launch.race_kinds.add((self.name, kind))
        index = [int(i) for i in idx] if isinstance(idx, tuple) else [int(idx)]
        launch.races.append({
            "kind": np.str_(kind), "array": np.str_(self.name), "index": index,
            "block": list(t.blockIdx), "thread": list(t.threadIdx),
            "line": sys._getframe(2).f_lineno,
            "other": launch.coords(other & _TID_MASK), "other_line": other_line})

    def __repr__(self) -> str:
        return f"<shared array {self.name} of shape {self.shape}>"


# -- the cuda module as kernels see it --------------------------------------------------------

def _as_dtype(dtype: Any) -> np.dtype:
    try:
        return np.dtype(dtype)
    except TypeError:
        from numba.np import numpy_support

        return numpy_support.as_dtype(dtype)


def _assigned_name(code: Any, line: int) -> str:
    """`tile` for the line `tile = cuda.shared.array(...)`, else a description."""
    import linecache

    text = linecache.getline(code.co_filename, line).strip()
    name = text.partition("=")[0].strip()
    return name if name.isidentifier() else f"the shared array of line {line}"


class _Shared:
    def array(self, shape: Any, dtype: Any, alignment: Any = None) -> SharedArray:
        t = _running.get(_get_ident())
        if t is None:
            raise KernelError("cuda.shared.array is only available inside a kernel")
        caller = sys._getframe(1)
        key = (caller.f_code, caller.f_lineno)
        found = t.block.shared.get(key)
        if found is None:
            shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
            made = SharedArray(shape, _as_dtype(dtype), _assigned_name(caller.f_code,
                                                                       caller.f_lineno), t.block)
            found = t.block.shared.setdefault(key, made)
        return found


class _Local:
    def array(self, shape: Any, dtype: Any, alignment: Any = None) -> np.ndarray:
        return np.full(shape, np.nan, dtype=_as_dtype(dtype)) if _as_dtype(dtype).kind == "f" \
            else np.zeros(shape, dtype=_as_dtype(dtype))


class _NoAtomics:
    def __getattr__(self, name: str) -> Any:
        raise KernelError(f"cuda.atomic.{name}: the exercises use no atomics (the block "
                          "reduces in shared memory instead)")


class FakeCuda:
    """What the name `cuda` means inside a running kernel."""

    def __init__(self, launch: "Launch"):
        self.launch = launch
        self.gridDim, self.blockDim = Dim3(*launch.grid), Dim3(*launch.block)
        self.shared, self.local, self.atomic = _Shared(), _Local(), _NoAtomics()
        self.warpsize = 32
        self._real = load()

    @property
    def threadIdx(self) -> Dim3:
        return _current().threadIdx

    @property
    def blockIdx(self) -> Dim3:
        return _current().blockIdx

    @property
    def laneid(self) -> int:
        return _current().tid % 32

    def syncthreads(self) -> None:
        t = _current()
        caller = sys._getframe(1)
        t.block.sync(t, caller.f_lineno, caller.f_code)

    def grid(self, n: int) -> Any:
        t = _current()
        b, g, d = t.threadIdx, t.blockIdx, self.blockDim
        x = g.x * d.x + b.x
        if n == 1:
            return x
        y = g.y * d.y + b.y
        return (x, y) if n == 2 else (x, y, g.z * d.z + b.z)

    def gridsize(self, n: int) -> Any:
        d, g = self.blockDim, self.gridDim
        sizes = (d.x * g.x, d.y * g.y, d.z * g.z)
        return sizes[0] if n == 1 else sizes[:n]

    def threadfence(self) -> None:
        pass

    threadfence_block = threadfence_system = threadfence

    def __getattr__(self, name: str) -> Any:
        if name.startswith("shfl") or name in ("activemask", "ballot_sync", "all_sync",
                                               "any_sync", "match_any_sync"):
            raise KernelError(f"cuda.{name}: the simulator has no warp shuffles or votes, "
                              "and the exercises use none")
        return getattr(self._real, name)


class GpuMath:
    """`math` as a GPU computes it: exp overflows to inf, log(0) is -inf, and a square root
    or log of a negative number is nan, where Python's math raises."""

    def __getattr__(self, name: str) -> Any:
        return getattr(math, name)

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def expm1(x: float) -> float:
        try:
            return math.expm1(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def log(x: float, *base: float) -> float:
        try:
            return math.log(x, *base)
        except ValueError:
            return -math.inf if x == 0 else math.nan

    @staticmethod
    def sqrt(x: float) -> float:
        try:
            return math.sqrt(x)
        except ValueError:
            return math.nan

    @staticmethod
    def pow(x: float, y: float) -> float:
        try:
            return math.pow(x, y)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan


_GPU_MATH = GpuMath()
_MATH_FUNCTIONS = {getattr(math, n): getattr(GpuMath, n)
                   for n in ("exp", "expm1", "log", "sqrt", "pow")}


# -- one launch -------------------------------------------------------------------------------

class Launch:
    def __init__(self, grid: tuple[int, int, int], block: tuple[int, int, int]):
        self.grid, self.block = grid, block
        self.races: list[dict[str, Any]] = []
        self.race_kinds: set[tuple[str, str]] = set()
        self.barriers: list[dict[str, Any]] = []
        shape = (grid[2] * block[2], grid[1] * block[1], grid[0] * block[0])
        self.reads = np.zeros(shape, dtype=np.int64)
        self.writes = np.zeros(shape, dtype=np.int64)

    def coords(self, tid: int) -> list[int]:
        bx, by, _ = self.block
        return [tid % bx, (tid // bx) % by, tid // (bx * by)]

    def report_barrier(self, entry: dict[str, Any]) -> None:
        if len(self.barriers) < MAX_REPORTS:
            self.barriers.append(entry)

    def run_block(self, fn: Callable[..., Any], args: Sequence[Any],
                  block_idx: tuple[int, int, int], in_turn: bool) -> None:
        """Run one block: one thread after another in this Python thread (``in_turn``: a
        kernel without barriers; the first barrier raises _NeedsThreads), or in threads."""
        block = Block(self, block_idx)
        block.in_turn = in_turn
        bx, by, bz = self.block
        block.threads = [SimThread(block, (x, y, z)) for z in range(bz) for y in range(by)
                         for x in range(bx)]
        if in_turn:
            block.run_in_turn(fn, args)
        else:
            block.run_threads(fn, args)
        gx, gy, gz = block_idx
        for t in block.threads:
            ix = t.threadIdx
            at = (gz * bz + ix.z, gy * by + ix.y, gx * bx + ix.x)
            self.reads[at], self.writes[at] = t.reads, t.writes
        if block.error is not None:
            erred = next((t for t in block.threads if t.error is block.error), None)
            raise _located(block.error, erred) if erred is not None else block.error

    def report(self) -> dict[str, Any]:
        z, y, x = self.reads.shape
        flat = (z * y, x) if self.grid[1] * self.block[1] > 1 or z > 1 else \
            (self.grid[0], self.block[0])
        return {"reads": self.reads.reshape(flat), "writes": self.writes.reshape(flat),
                "races": self.races, "barriers": self.barriers}


def _located(error: BaseException, thread: SimThread) -> BaseException:
    """The error a simulated thread raised, its message saying which thread (as the
    simulator does); errors that are not exceptions of the code (exit, output limit) as
    they are."""
    if not isinstance(error, Exception) or isinstance(error, OutOfBounds):
        return error
    where = f"thread {thread.threadIdx} of block {thread.blockIdx}"
    try:
        text = str(error)
        located = type(error)(f"{where}: {text}" if text else where)
    except Exception:
        return error
    return located.with_traceback(error.__traceback__)


def _dims(value: Sequence[int]) -> tuple[int, int, int]:
    dims = [int(v) for v in value] + [1] * (3 - len(value))
    if len(value) > 3 or any(d < 1 for d in dims):
        raise KernelError(f"a launch dimension {tuple(value)} that is not 1 to 3 positive sizes")
    return dims[0], dims[1], dims[2]


def kernel_function(obj: Any, name: str) -> Callable[..., Any]:
    """The Python function of a ``@cuda.jit`` kernel; KernelError saying what is wrong."""
    from numba.cuda.simulator.kernel import FakeCUDAKernel

    if not isinstance(obj, FakeCUDAKernel):
        what = ("a plain Python function" if callable(obj)
                else f"a {type(obj).__name__}, not a function")
        raise KernelError(f"{name} is {what}: a kernel is a function decorated with "
                          "@cuda.jit")
    if obj._device:
        raise KernelError(f"{name} is a device function (@cuda.jit(device=True)), which only "
                          "a kernel can call: the exercise is a kernel, @cuda.jit")
    return obj.fn


def launch(obj: Any, name: str, args: list[Any], params: Sequence[str],
           grid: Sequence[int], block: Sequence[int]) -> dict[str, Any]:
    """Run the kernel ``obj`` on ``args`` (NumPy arrays, written in place), one simulated
    block at a time; the measured counts and hazards."""
    from numba.cuda.simulator import kernel as simulator

    fn = kernel_function(obj, name)
    run = Launch(_dims(grid), _dims(block))
    if math.prod(run.block) > 1024:
        raise KernelError(f"a block of {math.prod(run.block)} threads: at most 1024")
    wrapped = [GlobalArray(a, params[i] if i < len(params) else f"arg{i}")
               if isinstance(a, np.ndarray) else a for i, a in enumerate(args)]
    fake = FakeCuda(run)
    cuda = load()
    globals_ = fn.__globals__
    swapped = {k: (fake if v is cuda else _GPU_MATH if v is math else _MATH_FUNCTIONS[v])
               for k, v in list(globals_.items())
               if v is cuda or v is math or (callable(v) and _hashable(v)
                                              and v in _MATH_FUNCTIONS)}
    originals = {k: globals_[k] for k in swapped}
    interval, stack = sys.getswitchinterval(), _thread.stack_size()
    globals_.update(swapped)
    sys.setswitchinterval(SWITCH_INTERVAL)
    _thread.stack_size(STACK_BYTES)
    try:
        with simulator._push_kernel_context(fake):
            in_turn = fn.__code__ not in _NEEDS_THREADS
            if in_turn:
                saved = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
                try:
                    _run_blocks(run, fn, wrapped, in_turn=True)
                except _NeedsThreads:
                    _NEEDS_THREADS.add(fn.__code__)
                    for a, copied in zip(args, saved, strict=True):
                        if copied is not None:
                            a[...] = copied
                    run = fake.launch = Launch(run.grid, run.block)
                    in_turn = False
            if not in_turn:
                _run_blocks(run, fn, wrapped, in_turn=False)
    finally:
        _thread.stack_size(stack)
        sys.setswitchinterval(interval)
        _running.pop(_get_ident(), None)
        for k, v in originals.items():
            if globals_.get(k) is swapped[k]:
                globals_[k] = v
    return run.report()


_NEEDS_THREADS: set[Any] = set()  # the code of kernels that reached a barrier


def _run_blocks(run: Launch, fn: Callable[..., Any], args: Sequence[Any],
                in_turn: bool) -> None:
    gx, gy, gz = run.grid
    for bz in range(gz):
        for by in range(gy):
            for bx in range(gx):
                run.run_block(fn, args, (bx, by, bz), in_turn)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# -- on a GPU -----------------------------------------------------------------------------------

def bench(obj: Any, name: str, args: list[Any], outputs: Sequence[int], grid: Sequence[int],
          block: Sequence[int], repeat: int) -> dict[str, Any]:
    """Time the kernel ``obj`` on the GPU (numba.cuda without the simulator): one launch
    that compiles it, whose outputs are copied back into ``args``, then ``repeat`` timed
    launches (CUDA events). {"seconds": the best, "first": the first launch, compiling}."""
    import time

    cuda = load()
    if not hasattr(obj, "configure") and not hasattr(obj, "py_func"):
        raise KernelError(f"{name} is not a kernel: decorate it with @cuda.jit")
    if getattr(obj, "targetoptions", {}).get("device"):
        raise KernelError(f"{name} is a device function, not a kernel")
    kernel = obj[tuple(grid), tuple(block)]
    device = [cuda.to_device(a) if isinstance(a, np.ndarray) else a for a in args]
    started = time.perf_counter()
    kernel(*device)
    cuda.synchronize()
    first = time.perf_counter() - started
    for i in outputs:
        device[i].copy_to_host(args[i])
    best = math.inf
    for _ in range(max(1, repeat)):
        begin, end = cuda.event(), cuda.event()
        begin.record()
        kernel(*device)
        end.record()
        end.synchronize()
        best = min(best, cuda.event_elapsed_time(begin, end) / 1e3)
    return {"seconds": best, "first": first}
