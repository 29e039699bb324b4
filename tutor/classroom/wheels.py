"""Wheels of installed distributions, and the versions of everything installed beside them.

An installed distribution is packed back into a wheel from its own files (its RECORD), so
the autograder runs exactly the code that graded here. An editable install (a checkout under
development) has no such files: its source folder is built with ``pip wheel`` instead, from
a copy, so the checkout is left as it was.
"""

import base64
import contextlib
import hashlib
import importlib.metadata as md
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse


class WheelError(Exception):
    """A wheel could not be made."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _direct_url(dist: md.Distribution) -> dict:
    text = dist.read_text("direct_url.json")
    if not text:
        return {}
    with contextlib.suppress(ValueError):
        data = json.loads(text)
        return data if isinstance(data, dict) else {}
    return {}


def editable_source(dist: md.Distribution) -> Path | None:
    """The source folder of an editable install, or None."""
    data = _direct_url(dist)
    url = data.get("url", "")
    if not (data.get("dir_info", {}).get("editable") and url.startswith("file:")):
        return None
    return Path(unquote(urlparse(url).path))


def distribution_of(folder: Path) -> md.Distribution | None:
    """The installed distribution whose package is the lesson ``folder`` (a lesson's
    plugin module has it as its ``__path__``), or None for a folder that no installed
    package holds (a lesson loaded from TUTOR_LESSONS_PATH, say)."""
    folder = folder.resolve()
    for name, module in list(sys.modules.items()):
        paths = getattr(module, "__path__", None) or []
        if any(Path(p).resolve() == folder for p in list(paths)):
            dists = md.packages_distributions().get(name.partition(".")[0], [])
            if dists:
                return md.distribution(dists[0])
    return None


def wheel(dist: md.Distribution, into: Path) -> Path:
    """A wheel of an installed distribution, written into ``into``."""
    source = editable_source(dist)
    if source is not None:
        return build(source, dist.metadata["Name"], into)
    return repack(dist, into)


def repack(dist: md.Distribution, into: Path) -> Path:
    """Pack an installed (non-editable) distribution back into a wheel."""
    files = dist.files
    name, version = dist.metadata["Name"], dist.version
    if not files:
        raise WheelError(f"{name} {version} lists no installed files (no RECORD)")
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "")
            .splitlines() if line.startswith("Tag:")]
    if not tags:
        raise WheelError(f"{name} {version} was not installed from a wheel (no WHEEL file)")
    tag = "-".join(".".join(dict.fromkeys(t.split("-")[i] for t in tags)) for i in range(3))
    info_dir = next((f.parts[0] for f in files if f.parts[0].endswith(".dist-info")), None)
    if info_dir is None:
        raise WheelError(f"{name} {version} has no .dist-info folder in its RECORD")
    skip = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    path = into / f"{re.sub(r'[-_.]+', '_', name)}-{version}-{tag}.whl"
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(files, key=lambda f: str(f)):
            parts = file.parts
            if (".." in parts or "__pycache__" in parts or file.suffix == ".pyc"
                    or (parts[0] == info_dir and file.name in skip)):
                continue
            data = Path(str(file.locate())).read_bytes()
            arcname = "/".join(parts)
            zf.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arcname},sha256={digest.decode()},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return path


_IGNORED = {".git", ".hg", ".svn", ".venv", "venv", ".ci-venv", "build", "dist", "__pycache__",
            ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "node_modules",
            ".cache"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in _IGNORED or n.endswith(".egg-info")
            or (Path(folder) / n / "pyvenv.cfg").is_file()}


def build(source: Path, name: str, into: Path) -> Path:
    """``pip wheel`` of a source folder (from a copy), for an editable install."""
    if not (source / "pyproject.toml").is_file() and not (source / "setup.py").is_file():
        raise WheelError(f"{name} is installed in editable mode from {source}, which is gone")
    with tempfile.TemporaryDirectory(prefix="tutor-wheel-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(source, copy, ignore=_ignore, symlinks=True)
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-input",
               "--disable-pip-version-check", "-q", "-w", str(out), str(copy)]
        if importlib.util.find_spec("setuptools") is not None:
            cmd.insert(4, "--no-build-isolation")  # build offline with what is installed
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        built = sorted(out.glob("*.whl")) if out.is_dir() else []
        if proc.returncode != 0 or len(built) != 1:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise WheelError(f"building a wheel of {name} from {source} failed: "
                             + " / ".join(tail))
        into.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(built[0], into / built[0].name))


def pins(exclude: set[str]) -> list[str]:
    """``name==version`` for every distribution installed here (except ``exclude`` and those
    installed from a folder or a VCS, which no index has): constraints, so the autograder
    gets the versions that graded here and never more packages than it needs."""
    found: dict[str, str] = {}
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if not name or normalize(name) in exclude or normalize(name) in found:
            continue
        if _direct_url(dist):
            continue
        found[normalize(name)] = f"{normalize(name)}=={dist.version}"
    return sorted(found.values())
