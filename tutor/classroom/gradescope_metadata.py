"""Who submitted what, from the ``submission_metadata.yml`` of Gradescope's "export
submissions" download.

The file is YAML written by Ruby, with symbol keys::

    submission_123456:
      :submitters:
      - :name: Ada Lovelace
        :sid: '1815'
        :email: ada@example.edu
      :created_at: 2024-01-01 10:00:00.000000000 -08:00
      :results: ...

Only the top-level keys and their ``:submitters:`` list are read, line by line: a student is
the ``:sid:`` where there is one, else the ``:email:``, else the ``:name:``. Everything else
(scores, results, history, possibly with block text of any shape) is indented deeper and
skipped.
"""

import json
import re
from pathlib import Path

_TOP = re.compile(r"^(?P<key>[^\s#:'\"][^:]*|'[^']*'|\"[^\"]*\"):\s*$")
_FIELD = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>:?\w+):\s*(?P<value>.*)$")


def read_submitters(path: Path) -> dict[str, list[str]]:
    """{submission folder: [student id, ...]}; an unreadable file gives {} (each folder then
    counts under its own name)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, list[dict[str, str]]] = {}
    folder: str | None = None
    key_indent: int | None = None  # of ":submitters:", while reading its list
    dash_indent: int | None = None  # of the list's "- " items
    child_indent: int | None = None  # of the submission's own keys
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line.startswith("---"):
            continue
        top = _TOP.match(line)
        if top:
            folder, key_indent, child_indent = _scalar(top.group("key")), None, None
            found[folder] = []
            continue
        m = _FIELD.match(line)
        if folder is None or m is None:
            continue
        level, key = len(m.group("indent")), m.group("key").lstrip(":")
        if child_indent is None:
            child_indent = level
        if key_indent is not None:
            if m.group("dash") and level >= key_indent and dash_indent in (None, level):
                dash_indent = level
                found[folder].append({key: _scalar(m.group("value"))})
                continue
            if not m.group("dash") and level <= key_indent:
                key_indent = None  # the next key of the submission: the list is over
            elif (not m.group("dash") and found[folder] and dash_indent is not None
                  and level == dash_indent + 2):
                found[folder][-1][key] = _scalar(m.group("value"))
                continue
            else:
                continue
        if (not m.group("dash") and key == "submitters" and level == child_indent
                and not m.group("value").strip()):
            key_indent, dash_indent = level, None
    return {folder: ids for folder, people in found.items()
            if (ids := [_student(p) for p in people if _student(p)])}


def _student(person: dict[str, str]) -> str:
    return person.get("sid") or person.get("email") or person.get("name") or ""


def _scalar(text: str) -> str:
    text = text.strip()
    if text in ("", "~", "null"):
        return ""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    return text.split(" #", 1)[0].strip()
