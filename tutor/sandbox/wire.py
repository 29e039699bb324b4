"""The framed message format between the grader and the learner's process.

A message is a JSON header plus raw ``.npy`` blobs (never pickle), so nothing that crosses
the pipe can execute code, and learner prints never reach it: the pipe is a file descriptor
of its own, not stdout.

Everything the learner's process sends is untrusted. The reader caps sizes before it
allocates anything (frame length, header length, blob count, each array's declared shape and
byte count), and :func:`decode` accepts only well-formed descriptions: anything else raises
:class:`ProtocolError`, which the grader turns into a verdict of its own.
"""

import ast
import io
import json
import math
import os
import struct
from typing import Any

import numpy as np

MAX_ITEMS = 64  # longest list/tuple/dict encoded element by element
MAX_NODES = 4096  # values described in one message, all levels together
MAX_BLOBS = 1024
MAX_HEADER = 1 << 20  # bytes of JSON in one frame
MAX_NPY_HEADER = 4096
DEFAULT_MAX_BYTES = 64 << 20  # array bytes one reply may carry unless the caller says less

# dtypes a value may come back as: numbers, booleans and text; never objects or records
_DTYPE_KINDS = "biufcSU"


class ProtocolError(Exception):
    """A message that does not follow the protocol (malformed, oversized or out of turn)."""


# -- values -> descriptions (the learner's process) -----------------------------------------


class Encoder:
    """Describes a value as JSON, moving arrays into blobs. Arrays larger than
    ``max_bytes`` are described by their shape and dtype only (never sent)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self.blobs: list[bytes] = []
        self.nodes = 0
        self.sent = 0

    def encode(self, value: Any, depth: int = 0) -> dict[str, Any]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return {"t": "other", "type": type(value).__name__, "repr": ""}
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in _DTYPE_KINDS:
                return {"t": "other", "type": f"ndarray of dtype {_dtype_name(value)}",
                        "repr": ""}
            shape = [int(n) for n in value.shape]
            cls = None if type(value) is np.ndarray else type(value).__name__
            if self.sent + value.nbytes > self.max_bytes or len(self.blobs) >= MAX_BLOBS:
                return {"t": "big", "shape": shape, "dtype": value.dtype.str, "cls": cls}
            self.sent += value.nbytes
            return {"t": "nd", "i": self._blob(np.asarray(value)), "cls": cls}
        if isinstance(value, bool | np.bool_):
            return {"t": "bool", "v": bool(value)}
        if isinstance(value, np.generic):
            if value.dtype.kind not in _DTYPE_KINDS or len(self.blobs) >= MAX_BLOBS:
                return {"t": "other", "type": type(value).__name__, "repr": ""}
            return {"t": "npscalar", "i": self._blob(np.asarray(value))}
        if type(value) is int:
            if abs(value) >= 10 ** 4000:
                return {"t": "other", "type": "int (too many digits)", "repr": ""}
            return {"t": "int", "v": str(value)}
        if type(value) is float:
            return {"t": "float", "v": value if math.isfinite(value) else repr(value)}
        if value is None:
            return {"t": "none"}
        if isinstance(value, tuple | list) and depth < 4:
            items = list(iter(value))  # a subclass (namedtuple, ...) is still a sequence
            if len(items) <= MAX_ITEMS:
                return {"t": "tuple" if isinstance(value, tuple) else "list",
                        "items": [self.encode(v, depth + 1) for v in items]}
        if isinstance(value, dict) and depth < 4:
            pairs = list(dict.items(value))  # OrderedDict, defaultdict, ... are dicts too
            if len(pairs) <= MAX_ITEMS and all(type(k) is str for k, _ in pairs):
                return {"t": "dict",
                        "items": {str(k): self.encode(v, depth + 1) for k, v in pairs}}
        return {"t": "other", "type": type(value).__name__, "repr": _short_repr(value)}

    def _blob(self, arr: np.ndarray) -> int:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        self.blobs.append(buf.getvalue())
        return len(self.blobs) - 1


def _dtype_name(value: np.ndarray) -> str:
    try:
        return str(value.dtype)
    except Exception:
        return "?"


def _short_repr(value: Any) -> str:
    try:
        text = str(repr(value))
    except BaseException:  # a learner's __repr__ may raise anything
        return ""
    return text if len(text) <= 120 else text[:117] + "..."


# -- descriptions -> values (the grader: untrusted input) -----------------------------------


class Foreign:
    """A returned value that is not an array, number, container or None (shown by type)."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class Subclassed:
    """A returned ndarray subclass (e.g. np.matrix): its data, and the class it had."""

    def __init__(self, array: np.ndarray, cls: str):
        self.array, self.cls = array, cls

    def __repr__(self) -> str:
        return f"<{self.cls}>"


class TooLarge:
    """A returned array too large to send back: only its shape and dtype are known."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, cls: str | None):
        self.shape, self.dtype, self.cls = shape, dtype, cls

    def __repr__(self) -> str:
        return f"<{self.dtype} array of shape {self.shape}, too large to send back>"


class Decoder:
    """Rebuilds what :class:`Encoder` described, from an untrusted message. With ``shared``
    (the learner's side only), arrays described as "shm" are views of that buffer."""

    def __init__(self, blobs: list[bytes], shared: Any = None):
        self.blobs, self.shared = blobs, shared
        self.nodes = 0

    def decode(self, desc: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > 5:
            raise ProtocolError("a returned value nested too deep or too large")
        if not isinstance(desc, dict):
            raise ProtocolError("a value description that is not an object")
        t = desc.get("t")
        if t == "nd":
            arr = load_npy(self.blobs[_index(desc.get("i"), len(self.blobs))])
            cls = _optional_str(desc.get("cls"))
            return Subclassed(arr, clean_text(cls)) if cls else arr
        if t == "big":
            shape = desc.get("shape")
            if not (isinstance(shape, list) and len(shape) <= 32
                    and all(type(n) is int and n >= 0 for n in shape)):
                raise ProtocolError("an array shape that is not a list of sizes")
            return TooLarge(tuple(shape), _dtype(desc.get("dtype")),
                            _optional_str(desc.get("cls")))
        if t == "shm" and self.shared is not None:
            return np.ndarray(tuple(desc["shape"]), np.dtype(desc["dtype"]), self.shared,
                              desc["offset"], order=desc["order"])
        if t == "npscalar":
            arr = load_npy(self.blobs[_index(desc.get("i"), len(self.blobs))])
            if arr.shape != ():
                raise ProtocolError("a NumPy scalar that is an array")
            return arr[()]
        if t == "bool":
            return _typed(desc.get("v"), bool)
        if t == "int":
            text = _typed(desc.get("v"), str)
            if len(text) > 4300 or not text.lstrip("-").isdigit():
                raise ProtocolError("an integer that is not one")
            return int(text)
        if t == "float":
            v = desc.get("v")
            if isinstance(v, str) and v in ("inf", "-inf", "nan"):
                return float(v)
            if not isinstance(v, int | float) or isinstance(v, bool):
                raise ProtocolError("a float that is not a number")
            return float(v)
        if t == "none":
            return None
        if t in ("tuple", "list"):
            items = desc.get("items")
            if not isinstance(items, list) or len(items) > MAX_ITEMS:
                raise ProtocolError("a sequence description that is not a short list")
            values = [self.decode(d, depth + 1) for d in items]
            return tuple(values) if t == "tuple" else values
        if t == "dict":
            items = desc.get("items")
            if not isinstance(items, dict) or len(items) > MAX_ITEMS:
                raise ProtocolError("a dict description that is not a short object")
            return {clean_text(k): self.decode(d, depth + 1) for k, d in items.items()}
        if t == "other":
            return Foreign(clean_text(_typed(desc.get("type", "?"), str))[:200],
                           clean_text(_typed(desc.get("repr", ""), str))[:200])
        raise ProtocolError("a value of an unknown kind")


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise ProtocolError(f"a field that is not a {kind.__name__}")
    return value


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    return str(_typed(value, str))[:200]


def _index(value: Any, n: int) -> int:
    if type(value) is not int or not 0 <= value < n:
        raise ProtocolError("a reference to a blob that was not sent")
    return value


def _dtype(text: Any) -> np.dtype:
    if not isinstance(text, str) or len(text) > 16:
        raise ProtocolError("a dtype that is not a short string")
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError):
        raise ProtocolError("an unknown dtype") from None
    if dtype.kind not in _DTYPE_KINDS or dtype.fields is not None or dtype.subdtype:
        raise ProtocolError(f"a dtype tutor does not accept ({text})")
    return dtype


def load_npy(blob: bytes) -> np.ndarray:
    """An ``.npy`` blob as an array, checking its header against its size before anything
    is allocated (a header may claim any shape)."""
    if len(blob) < 10 or blob[:6] != b"\x93NUMPY":
        raise ProtocolError("an array blob that is not .npy data")
    major = blob[6]
    if major == 1:
        (hlen,), start = struct.unpack_from("<H", blob, 8), 10
    elif major in (2, 3):
        (hlen,), start = struct.unpack_from("<I", blob, 8), 12
    else:
        raise ProtocolError("an .npy version tutor does not read")
    if hlen > MAX_NPY_HEADER or start + hlen > len(blob):
        raise ProtocolError("an .npy header that is too long")
    try:
        header = ast.literal_eval(blob[start:start + hlen].decode("latin1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ProtocolError("an unreadable .npy header") from None
    if not (isinstance(header, dict) and set(header) == {"descr", "fortran_order", "shape"}):
        raise ProtocolError("an .npy header without its three keys")
    shape, fortran = header["shape"], header["fortran_order"]
    if not (isinstance(shape, tuple) and len(shape) <= 32
            and all(type(n) is int and n >= 0 for n in shape) and type(fortran) is bool):
        raise ProtocolError("an .npy header with a malformed shape")
    dtype = _dtype(header["descr"])
    data = memoryview(blob)[start + hlen:]
    if math.prod(shape) * dtype.itemsize != len(data):  # exact Python ints: no overflow
        raise ProtocolError(f"an array whose shape {shape} does not match its "
                            f"{len(data)} bytes of data")
    flat = np.frombuffer(data, dtype=dtype)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


# -- text ---------------------------------------------------------------------------------

# Control characters other than newline and tab, and the bidirectional overrides: shown,
# never sent to a terminal (an escape sequence printed by learner code could clear the
# screen, and an override could make shown text read differently from what it is).
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x09), *range(0x0b, 0x20), 0x7f]}
_CONTROL.update({c: f"\\x{c:02x}" for c in range(0x80, 0xa0)})
_CONTROL.update({c: f"\\u{c:04x}" for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a)]})


def clean_text(text: str) -> str:
    """Text from the learner's process, made safe to print and to put in JSON: invalid
    UTF-8 replaced, control characters (escape sequences) written out as \\xNN."""
    return text.encode("utf-8", "replace").decode("utf-8").translate(_CONTROL)


# -- framing ------------------------------------------------------------------------------

_LEN = struct.Struct(">Q")


def pack(header: dict[str, Any], blobs: list[bytes]) -> bytes:
    header = dict(header, blobs=[len(b) for b in blobs])
    head = json.dumps(header).encode()
    body = _LEN.pack(len(head)) + head + b"".join(blobs)
    return _LEN.pack(len(body)) + body


def unpack(body: bytes | bytearray) -> tuple[dict[str, Any], list[bytes]]:
    """Split a frame's body into its header and blobs; ProtocolError if it is malformed."""
    view = memoryview(body)
    if len(view) < 8:
        raise ProtocolError("a frame too short to hold its header")
    (n,) = _LEN.unpack_from(view)
    if n > MAX_HEADER or 8 + n > len(view):
        raise ProtocolError("a frame header longer than the frame or the limit")
    try:
        header = json.loads(bytes(view[8:8 + n]))
    except (ValueError, RecursionError):
        raise ProtocolError("a frame header that is not JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError("a frame header that is not a JSON object")
    sizes = header.pop("blobs", None)
    if not (isinstance(sizes, list) and len(sizes) <= MAX_BLOBS
            and all(type(s) is int and s >= 0 for s in sizes)
            and 8 + n + sum(sizes) == len(view)):
        raise ProtocolError("frame blob sizes that do not add up to the frame")
    blobs, at = [], 8 + n
    for size in sizes:
        blobs.append(bytes(view[at:at + size]))
        at += size
    return header, blobs


def write_message(fd: int, header: dict[str, Any], blobs: list[bytes]) -> None:
    data = memoryview(pack(header, blobs))
    while data:
        data = data[os.write(fd, data):]


def read_exact(fd: int, n: int) -> bytearray:
    """Blocking read of exactly ``n`` bytes; EOFError if the other side went away."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = os.readv(fd, [view[got:got + (1 << 20)]])
        if not k:
            raise EOFError
        got += k
    return buf


def read_message(fd: int) -> tuple[dict[str, Any], list[bytes]]:
    """One frame from a trusted writer (the grader's requests, read by the child)."""
    (n,) = _LEN.unpack(read_exact(fd, 8))
    return unpack(read_exact(fd, n))
