"""Typed reading of the TOML files a lesson ships, with errors that name file and line."""

import re
import tomllib
from pathlib import Path
from typing import Any

FORMAT = 1  # the newest lesson.toml / quiz.toml format this version reads


class LessonError(Exception):
    """A lesson's own files are broken: the lesson's author must fix them."""


class CatalogError(LessonError, ValueError):
    """A lesson file that does not follow its schema."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class MissingFile(CatalogError):
    """A file that a lesson needs, or that its lesson.toml names, is not in its folder."""

    def __init__(self, path: Path, line: int | None, message: str, folder: Path):
        self.folder, self.reason = folder, message
        super().__init__(path, line, message)


class TomlFile:
    """A parsed TOML file that remembers its text, to point errors at lines."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise CatalogError(path, None, f"cannot read: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise CatalogError(path, None, f"not UTF-8 text ({e.reason} at byte {e.start})") \
                from None
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            line = getattr(e, "lineno", None) or _line_from_message(str(e))
            raise CatalogError(path, line, f"not valid TOML: {e}") from None
        fmt = self.data.get("format")
        if fmt != FORMAT:
            raise CatalogError(
                path, self.line_of("format"),
                f"format = {fmt!r}: this version of tutor reads format = {FORMAT}"
                + (" (upgrade tutor to read newer lessons)" if isinstance(fmt, int) and fmt > FORMAT
                   else ""),
            )

    def line_of(self, key: str, nth_table: tuple[str, int] | None = None) -> int | None:
        """Line of ``key = ...``, searched after the n-th ``[[table]]`` header if given."""
        lines = self.text.splitlines()
        start = 0
        if nth_table:
            header, n = nth_table
            seen = -1
            for i, line in enumerate(lines):
                if line.strip() == f"[[{header}]]":
                    seen += 1
                    if seen == n:
                        start = i
                        break
            else:
                return None
            if not key:
                return start + 1
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for i in range(start, len(lines)):
            if pattern.match(lines[i]):
                return i + 1
        return start + 1 if nth_table else None


def _line_from_message(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


class Fields:
    """Typed access to one TOML table, raising CatalogError at the right line."""

    def __init__(self, file: TomlFile, table: dict[str, Any], where: str,
                 nth_table: tuple[str, int] | None = None):
        self.file, self.table, self.where, self.nth = file, table, where, nth_table

    def error(self, key: str, message: str) -> CatalogError:
        line = self.file.line_of(key, self.nth)
        return CatalogError(self.file.path, line, f"{self.where}{message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.error("", f"missing required key '{key}'")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.error(key, f"'{key}' must be a number, not {value!r}")
        if not isinstance(value, kind):
            names = (kind.__name__ if isinstance(kind, type)
                     else " or ".join(k.__name__ for k in kind))
            raise self.error(key, f"'{key}' must be {_article(names)}, not {value!r}")
        return value

    def tables(self, key: str) -> list[dict[str, Any]]:
        """An array of tables (``[[key]]``), each checked to be a table."""
        value = self.get(key, list, [])
        if not all(isinstance(v, dict) for v in value):
            raise self.error(key, f"'{key}' must be written as [[{key}]] tables")
        return list(value)

    def number(self, key: str, default: float, low: float, high: float) -> float:
        """A finite number in [low, high] (a tolerance, say)."""
        value = float(self.get(key, (int, float), default))
        if not low <= value <= high:  # also refuses nan and inf
            raise self.error(key, f"'{key}' must be a number from {low:g} to {high:g}, "
                             f"not {value!r}")
        return value

    def strings(self, key: str, default: Any = ...) -> list[str]:
        value = self.get(key, list, default)
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, f"'{key}' must be a list of strings")
        return list(value)

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            allowed_keys = ", ".join(sorted(allowed))
            raise self.error(extra[0], f"unknown key '{extra[0]}' (allowed: {allowed_keys})")


def _article(name: str) -> str:
    return ("an " if name[0] in "aeiou" else "a ") + name
