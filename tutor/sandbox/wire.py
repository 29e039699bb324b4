"""The framed message format between the grader and the learner's process.

A message is a JSON header plus raw ``.npy`` blobs (``allow_pickle=False`` both ways), so
nothing that crosses the pipe can execute code, and learner prints never reach it: the
pipe is a file descriptor of its own, not stdout.
"""

import io
import json
import os
import struct
from typing import Any

import numpy as np

MAX_ITEMS = 64  # longest list/tuple/dict encoded element by element
MAX_ARRAY_BYTES = 256 << 20  # a returned array larger than this is described, not sent


def encode(value: Any, blobs: list[bytes], depth: int = 0) -> dict[str, Any]:
    """Describe ``value`` as JSON, moving arrays into ``blobs``."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"t": "other", "type": "ndarray of Python objects", "repr": ""}
        if value.nbytes > MAX_ARRAY_BYTES:
            return {"t": "other", "repr": "",
                    "type": f"{value.dtype} array of shape {value.shape} (too large to return)"}
        cls = None if type(value) is np.ndarray else type(value).__name__
        return {"t": "nd", "i": _blob(np.asarray(value), blobs), "cls": cls}
    if isinstance(value, bool | np.bool_):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, np.generic):
        if value.dtype.hasobject:
            return {"t": "other", "type": type(value).__name__, "repr": ""}
        return {"t": "npscalar", "i": _blob(np.asarray(value), blobs)}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": value}
    if value is None:
        return {"t": "none"}
    if isinstance(value, tuple | list) and depth < 4:
        items = list(iter(value))  # a subclass (namedtuple, ...) is still a sequence
        if len(items) <= MAX_ITEMS:
            return {"t": "tuple" if isinstance(value, tuple) else "list",
                    "items": [encode(v, blobs, depth + 1) for v in items]}
    if isinstance(value, dict) and depth < 4:
        pairs = list(dict.items(value))  # OrderedDict, defaultdict, ... are dicts too
        if len(pairs) <= MAX_ITEMS and all(isinstance(k, str) for k, _ in pairs):
            return {"t": "dict", "items": {str(k): encode(v, blobs, depth + 1) for k, v in pairs}}
    return {"t": "other", "type": type(value).__name__, "repr": _short_repr(value)}


# Control characters other than newline and tab: shown, never sent to a terminal (an escape
# sequence printed by learner code could clear the screen or rewrite what tutor shows).
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x09), *range(0x0b, 0x20), 0x7f]}
_CONTROL.update({c: f"\\x{c:02x}" for c in range(0x80, 0xa0)})


def clean_text(text: str) -> str:
    """Text from the learner's process, made safe to print and to put in JSON: invalid
    UTF-8 replaced, control characters (escape sequences) written out as \\xNN."""
    return text.encode("utf-8", "replace").decode("utf-8").translate(_CONTROL)


def decode(desc: dict[str, Any], blobs: list[bytes]) -> Any:
    """Rebuild what ``encode`` described; "other" values come back as :class:`Foreign`."""
    t = desc["t"]
    if t == "nd":
        arr = _load(blobs[desc["i"]])
        return Subclassed(arr, clean_text(desc["cls"])) if desc["cls"] else arr
    if t == "npscalar":
        return _load(blobs[desc["i"]])[()]
    if t == "bool":
        return bool(desc["v"])
    if t == "int":
        return int(desc["v"])
    if t == "float":
        return float(desc["v"])
    if t == "none":
        return None
    if t == "tuple":
        return tuple(decode(d, blobs) for d in desc["items"])
    if t == "list":
        return [decode(d, blobs) for d in desc["items"]]
    if t == "dict":
        return {clean_text(k): decode(d, blobs) for k, d in desc["items"].items()}
    return Foreign(clean_text(desc.get("type", "?")), clean_text(desc.get("repr", "")))


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


def _blob(arr: np.ndarray, blobs: list[bytes]) -> int:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    blobs.append(buf.getvalue())
    return len(blobs) - 1


def _load(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # a learner's __repr__ may raise anything
        return ""
    return text if len(text) <= 120 else text[:117] + "..."


# -- framing ----------------------------------------------------------------------------

_LEN = struct.Struct(">Q")


def pack(header: dict[str, Any], blobs: list[bytes]) -> bytes:
    header = dict(header, blobs=[len(b) for b in blobs])
    head = json.dumps(header).encode()
    body = _LEN.pack(len(head)) + head + b"".join(blobs)
    return _LEN.pack(len(body)) + body


def unpack(body: bytes) -> tuple[dict[str, Any], list[bytes]]:
    (n,) = _LEN.unpack_from(body)
    header = json.loads(body[8:8 + n])
    blobs, at = [], 8 + n
    for size in header.pop("blobs"):
        blobs.append(body[at:at + size])
        at += size
    return header, blobs


def write_message(fd: int, header: dict[str, Any], blobs: list[bytes]) -> None:
    data = memoryview(pack(header, blobs))
    while data:
        data = data[os.write(fd, data):]


def read_exact(fd: int, n: int) -> bytes:
    """Blocking read of exactly ``n`` bytes; EOFError if the other side went away."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> tuple[dict[str, Any], list[bytes]]:
    (n,) = _LEN.unpack(read_exact(fd, 8))
    return unpack(read_exact(fd, n))
