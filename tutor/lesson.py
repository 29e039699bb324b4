"""The lesson model: a folder of prose, quiz, stub, reference, cases and mutants."""

import ast
import importlib
import math
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import sizes
from .schema import CatalogError, Fields, LessonError, MissingFile, TomlFile

DEFAULT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Gradient:
    """Which returned values are gradients, and of what.

    ``of`` names a forward function (a backward exercise: its first arguments are the upstream
    gradients, one per value the forward returns, and the rest are the forward's inputs; the
    gradients are those of Σ_k sum(upstream_k * out_k)); otherwise ``loss`` names the returned
    scalar whose gradient the exercise returns. ``wrt`` maps a returned name (dotted for a
    returned dict) to the name of the input it is the gradient for.
    """

    wrt: dict[str, str]
    of: str | None = None
    loss: str | None = None


@dataclass(frozen=True)
class Kernel:
    """A CUDA kernel exercise: how the grader launches it and what it may read and write.

    ``grid`` holds one size expression (tutor.sizes) per grid dimension, x first; ``block``
    the threads per block, x first. ``reads`` and ``writes`` are the budget: global-memory
    element reads and writes per thread, the most any thread may make (None: no budget).
    """

    grid: tuple[str, ...]
    block: tuple[int, ...]
    reads: str | None = None
    writes: str | None = None

    def launch(self, params: Sequence[str], args: Sequence[Any]) -> tuple[list[int],
                                                                         list[int]]:
        """(grid, block) for these arguments."""
        values = dict(zip(params, args, strict=False))
        return [max(1, sizes.evaluate(g, values)) for g in self.grid], list(self.block)

    def budget(self, params: Sequence[str], args: Sequence[Any]) -> tuple[int | None,
                                                                         int | None]:
        """(reads, writes) per thread allowed for these arguments; None where unbounded."""
        values = dict(zip(params, args, strict=False))
        return tuple(None if e is None else sizes.evaluate(e, values)  # type: ignore[return-value]
                     for e in (self.reads, self.writes))


@dataclass(frozen=True)
class Exercise:
    lesson: str
    name: str
    signature: str
    params: tuple[str, ...]
    required: int  # how many leading params have no default
    returns: tuple[str, ...]
    hints: tuple[str, ...]
    tolerance: float = DEFAULT_TOLERANCE
    gradient: Gradient | None = None
    # returned name -> input name: that value is an update of that input, and is compared
    # on the difference (w_new - w) so the size of w cannot hide a wrong step
    update: dict[str, str] = field(default_factory=dict)
    # a CUDA kernel: launched by the grader, compared on the arguments it writes (returns)
    kernel: Kernel | None = None

    @property
    def id(self) -> str:
        return f"{self.lesson}.{self.name}"


@dataclass(frozen=True)
class Diagnosis:
    id: str
    message: str


@dataclass
class Lesson:
    """One lesson, as read from its folder's ``lesson.toml``."""

    id: str
    title: str
    order: int
    summary: str
    folder: Path
    requires: tuple[str, ...] = ()
    pages: tuple[Path, ...] = ()
    exercises: tuple[Exercise, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    plugin: str = field(default="", compare=False)

    @classmethod
    def from_folder(cls, folder: Path | str) -> "Lesson":
        folder = Path(folder).resolve()
        if not (folder / "lesson.toml").is_file():
            raise MissingFile(folder / "lesson.toml", None, (
                "not found: a lesson folder holds lesson.toml (and the files it names) "
                "beside the plugin's __init__.py; see docs/writing-lessons.md"),
                folder)
        toml = TomlFile(folder / "lesson.toml")
        top = Fields(toml, toml.data, "")
        top.unknown({"format", "id", "title", "order", "summary", "requires", "pages",
                     "exercises", "diagnoses"})
        lesson_id = top.get("id", str)
        if not lesson_id.isidentifier():
            raise top.error("id", f"id {lesson_id!r} must be a Python identifier")
        pages = []
        for page in top.strings("pages", []):
            if not (folder / page).is_file():
                raise MissingFile(toml.path, toml.line_of("pages"),
                                  f"page {page!r} does not exist (in {folder})", folder)
            pages.append(folder / page)
        exercises = [
            _exercise(toml, lesson_id, table, i)
            for i, table in enumerate(top.tables("exercises"))
        ]
        names = [e.name for e in exercises]
        for i, ex in enumerate(exercises):
            if names.count(ex.name) > 1:
                raise top.error("exercises", f"exercise {ex.name!r} is defined twice")
            if ex.gradient and ex.gradient.of and ex.gradient.of not in names:
                raise Fields(toml, {}, f"exercise {ex.name!r}: ", ("exercises", i)).error(
                    "of", f"gradient of = {ex.gradient.of!r} is not an exercise of this lesson")
            params = (ex if not (ex.gradient and ex.gradient.of)
                      else exercises[names.index(ex.gradient.of)]).params
            for out, param in (ex.gradient.wrt.items() if ex.gradient else ()):
                if param not in params:
                    raise Fields(toml, {}, f"exercise {ex.name!r}: ", ("exercises", i)).error(
                        "wrt", f"'{out}' is the gradient of {param!r}, which is not an input")
        diagnoses = []
        for i, table in enumerate(top.tables("diagnoses")):
            f = Fields(toml, table, f"diagnosis {i + 1}: ", ("diagnoses", i))
            f.unknown({"id", "message"})
            diagnoses.append(Diagnosis(f.get("id", str), f.get("message", str)))
        return cls(
            id=lesson_id,
            title=top.get("title", str),
            order=top.get("order", int, 1000),
            summary=top.get("summary", str, ""),
            folder=folder,
            requires=tuple(top.strings("requires", [])),
            pages=tuple(pages),
            exercises=tuple(exercises),
            diagnoses=tuple(diagnoses),
        )

    # -- the lesson's files -------------------------------------------------------------

    def exercise(self, name: str) -> Exercise:
        for ex in self.exercises:
            if ex.name == name:
                return ex
        raise KeyError(f"{self.id}.{name}")

    @property
    def stub_path(self) -> Path:
        return self.folder / "stub.py"

    @property
    def reference_path(self) -> Path:
        return self.folder / "reference.py"

    @property
    def kernel_reference_path(self) -> Path:
        """The reference kernels of the kernel exercises (graded like a learner's file)."""
        return self.folder / "cuda_ops.py"

    @property
    def has_kernels(self) -> bool:
        return any(e.kernel for e in self.exercises)

    def solution_path(self, exercise: "Exercise") -> Path:
        """The file of the lesson that solves ``exercise``: the reference kernels for a
        kernel exercise, the NumPy reference for the others."""
        return self.kernel_reference_path if exercise.kernel else self.reference_path

    def module(self, name: str) -> types.ModuleType:
        """Import ``name``.py from the lesson folder (as part of a package, so that the
        lesson's modules can import each other relatively)."""
        package = f"tutor_lesson_{self.id}"
        if package not in sys.modules:
            pkg = types.ModuleType(package)
            pkg.__path__ = [str(self.folder)]
            sys.modules[package] = pkg
        try:
            return importlib.import_module(f"{package}.{name}")
        except SyntaxError as e:
            raise CatalogError(Path(e.filename or self.folder / f"{name}.py"), e.lineno,
                               f"not valid Python: {e.msg}") from None
        except Exception as e:  # the lesson's module fails while importing
            raise LessonError(f"{self.folder / f'{name}.py'}: cannot be imported: "
                              f"{type(e).__name__}: {e}") from e

    def function(self, module: str, name: str) -> Any:
        """A function of one of the lesson's modules; LessonError if it is not there."""
        fn = getattr(self.module(module), name, None)
        if not callable(fn):
            raise LessonError(f"{self.folder / f'{module}.py'} defines no function {name!r}")
        return fn

    def has_module(self, name: str) -> bool:
        return (self.folder / f"{name}.py").is_file()

    @cached_property
    def reference(self) -> types.ModuleType:
        return self.module("reference")

    @cached_property
    def quiz(self) -> "Any":
        from .quiz import Quiz

        return Quiz.from_lesson(self)

    def mutants(self) -> list["Mutant"]:
        """Every mutant; a broken one raises CatalogError (see usable_mutants)."""
        folder = self.folder / "mutants"
        if not folder.is_dir():
            return []
        return [Mutant.from_file(path) for path in sorted(folder.glob("*.py"))]

    def usable_mutants(self) -> list["Mutant"]:
        """The mutants that load; broken ones are left to `tutor dev check` to report."""
        folder = self.folder / "mutants"
        found = []
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            try:
                found.append(Mutant.from_file(path))
            except (CatalogError, OSError, UnicodeDecodeError):
                continue
        return found

    def diagnosis(self, diagnosis_id: str) -> Diagnosis | None:
        return next((d for d in self.diagnoses if d.id == diagnosis_id), None)

    def known_mistakes(self, exercise: "Exercise") -> list[Diagnosis]:
        """The lesson's diagnoses that its mutants of this exercise stand for."""
        ids = {m.diagnosis for m in self.usable_mutants() if m.exercise == exercise.name}
        return [d for d in self.diagnoses if d.id in ids]


@dataclass(frozen=True)
class Mutant:
    """A known-wrong solution of one exercise, and the diagnosis it must get."""

    path: Path
    exercise: str
    diagnosis: str
    source: str

    @classmethod
    def from_file(cls, path: Path) -> "Mutant":
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CatalogError(path, None, f"cannot read: {e}") from None
        try:
            tree = ast.parse(source, str(path))
        except SyntaxError as e:
            raise CatalogError(path, e.lineno, f"mutant is not valid Python: {e.msg}") from None
        consts: dict[str, str] = {}
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                consts[node.targets[0].id] = node.value.value
        for key in ("EXERCISE", "DIAGNOSIS"):
            if key not in consts:
                raise CatalogError(path, 1, f"mutant must set {key} = \"...\"")
        return cls(path, consts["EXERCISE"], consts["DIAGNOSIS"], source)

    @property
    def name(self) -> str:
        return self.path.stem


def _exercise(toml: TomlFile, lesson_id: str, table: dict[str, Any], i: int) -> Exercise:
    f = Fields(toml, table, f"exercise {i + 1}: ", ("exercises", i))
    f.unknown({"name", "signature", "returns", "hints", "tolerance", "gradient", "update",
               "kernel"})
    name = f.get("name", str)
    f.where = f"exercise {name!r}: "
    signature = f.get("signature", str)
    params, required = _parse_signature(signature, name, f)
    returns = f.strings("returns")
    if not returns:
        raise f.error("returns", "'returns' must name at least one value")
    hints = f.strings("hints")
    tolerance = f.number("tolerance", DEFAULT_TOLERANCE, 1e-15, 0.1)
    gradient = None
    if "gradient" in table:
        g = Fields(toml, f.get("gradient", dict), f"exercise {name!r} gradient: ", ("exercises", i))
        g.unknown({"of", "loss", "wrt"})
        wrt = g.get("wrt", dict)
        gradient = Gradient(wrt={str(k): str(v) for k, v in wrt.items()},
                            of=g.get("of", str, None), loss=g.get("loss", str, None))
        if (gradient.of is None) == (gradient.loss is None):
            raise g.error("wrt", "give exactly one of 'of' (a forward function) or 'loss'")
        for out in gradient.wrt:
            if out.split(".")[0] not in returns:
                raise g.error("wrt", f"'{out}' is not one of the returned values {returns}")
    update = {}
    if "update" in table:
        u = Fields(toml, f.get("update", dict), f"exercise {name!r} update: ", ("exercises", i))
        for out in u.table:
            param = u.get(out, str)
            if out not in returns:
                raise u.error(out, f"'{out}' is not one of the returned values {returns}")
            if param not in params:
                raise u.error(out, f"'{out}' is an update of {param!r}, which is not an input")
            update[out] = param
    kernel = None
    if "kernel" in table:
        kernel = _kernel(toml, f.get("kernel", dict), name, i, params, returns)
        if gradient or update:
            raise f.error("kernel", "a kernel exercise has no 'gradient' or 'update' table")
    return Exercise(lesson_id, name, signature, params, required, tuple(returns),
                    tuple(hints), tolerance, gradient, update, kernel)


def _kernel(toml: TomlFile, table: dict[str, Any], name: str, i: int,
            params: tuple[str, ...], returns: list[str]) -> Kernel:
    k = Fields(toml, table, f"exercise {name!r} kernel: ", ("exercises", i))
    k.unknown({"grid", "block", "reads", "writes"})
    for out in returns:
        if out not in params:
            raise k.error("block", f"'{out}' is returned, but a kernel returns nothing: "
                          "'returns' names the parameters it writes")
    grid = k.strings("grid")
    block = k.get("block", list)
    if not 1 <= len(grid) <= 3 or len(block) != len(grid):
        raise k.error("grid", "'grid' and 'block' give 1 to 3 dimensions each, x first, as "
                      "many of one as of the other")
    if not all(type(b) is int and b >= 1 for b in block) or math.prod(block) > 1024:
        raise k.error("block", "'block' is whole numbers of threads, at most 1024 in all")
    for key, values in (("grid", grid), ("reads", [k.get("reads", str, None)]),
                        ("writes", [k.get("writes", str, None)])):
        for text in values:
            if text is not None:
                try:
                    sizes.parse(text, params)
                except sizes.SizeError as e:
                    raise k.error(key, str(e)) from None
    return Kernel(tuple(grid), tuple(block), k.get("reads", str, None),
                  k.get("writes", str, None))


def _parse_signature(signature: str, name: str, f: Fields) -> tuple[tuple[str, ...], int]:
    try:
        node = ast.parse(f"def {signature}: pass").body[0]
    except SyntaxError:
        raise f.error("signature", f"signature {signature!r} is not a Python signature") from None
    assert isinstance(node, ast.FunctionDef)
    if node.name != name:
        raise f.error("signature", f"signature names {node.name!r}, not {name!r}")
    params = tuple(a.arg for a in node.args.args)
    return params, len(params) - len(node.args.defaults)
