"""Grading many submissions: worker processes, each grading one submission at a time in a
sandbox of its own, and a store in the out folder that keeps every result as it arrives.

Each submission runs in a fresh sandbox (a fresh jail): nothing one file does can reach the
next. A worker starts the next submission's sandbox (the process imports NumPy) while it
grades the current one, so that start-up cost overlaps grading. Results are keyed by a hash
of the file, the assignment's grading settings, the lesson's files, tutor's version and the
jail, so running again grades only what is new, and identical files are graded once.
"""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .. import __version__
from ..lesson import Lesson
from ..schema import LessonError
from .assignment import Assignment
from .results import ERROR, GRADED, REFUSED, StudentResult
from .submissions import Submission

CACHE = ".cache"
CACHE_SCHEMA = 1
SCRATCH_PREFIX = "tutor-grade-"  # a worker's folder of files to grade: tutor-grade-PID-*


@dataclass(frozen=True)
class Job:
    """One distinct file to grade."""

    key: str
    filename: str
    source: bytes = field(repr=False)


@dataclass(frozen=True)
class Settings:
    """What a worker needs to grade (plain data: it crosses into the worker process)."""

    lesson: str
    lessons_dirs: tuple[str, ...]
    exercises: tuple[str, ...]
    seed: int
    time_limit: float
    submission_time_limit: float | None
    jail: str


class GradingFailed(Exception):
    """tutor itself cannot grade (a broken lesson, a worker that cannot start)."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# -- keys and the store ---------------------------------------------------------------------

def lesson_fingerprint(lesson: Lesson) -> str:
    """A hash of the lesson files that decide verdicts and diagnoses."""
    digest = hashlib.sha256(lesson.id.encode())
    files = [lesson.folder / "lesson.toml", lesson.reference_path, lesson.folder / "cases.py",
             *sorted((lesson.folder / "mutants").glob("*.py"))]
    for path in files:
        digest.update(path.name.encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def job_key(sub: Submission, assignment: Assignment, lesson_hash: str, jail: str) -> str:
    digest = hashlib.sha256()
    for part in (__version__, lesson_hash, assignment.grading_key(), jail, sub.filename):
        digest.update(part.encode() + b"\0")
    digest.update(sub.source)
    return digest.hexdigest()


class Store:
    """Results kept in ``OUT/.cache/KEY.json``, written as each one arrives."""

    def __init__(self, out: Path):
        self.folder = out / CACHE

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA \
                or data.get("key") != key or not isinstance(data.get("result"), dict):
            return None
        return data["result"]

    def put(self, key: str, result: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"schema": CACHE_SCHEMA, "key": key, "result": result},
                                  allow_nan=False), encoding="utf-8")
        os.replace(tmp, path)


# -- the plan: what to grade, what is known ---------------------------------------------------

@dataclass
class Plan:
    """Every submission, its key, and which distinct files still need grading."""

    submissions: list[Submission]
    keys: dict[int, str]  # index of a gradable submission -> its key
    known: dict[str, dict[str, Any]]  # key -> a stored result
    jobs: list[Job]

    @property
    def total(self) -> int:
        return len(self.submissions)


def plan(submissions: Sequence[Submission], assignment: Assignment, lesson: Lesson,
         jail: str, store: Store) -> Plan:
    lesson_hash = lesson_fingerprint(lesson)
    keys, known, jobs = {}, {}, {}
    for i, sub in enumerate(submissions):
        if sub.refused:
            continue
        key = keys[i] = job_key(sub, assignment, lesson_hash, jail)
        if key in known or key in jobs:
            continue
        stored = store.get(key)
        if stored is not None:
            known[key] = stored
        else:
            jobs[key] = Job(key, sub.filename, sub.source)
    return Plan(list(submissions), keys, known, list(jobs.values()))


def student_result(sub: Submission, result: dict[str, Any] | None) -> StudentResult:
    """A submission with its grading result (from a worker or the store)."""
    if sub.refused:
        return StudentResult(sub.student, sub.entry, REFUSED, message=sub.problem)
    assert result is not None
    data = dict(result, student=sub.student, submission=sub.entry)
    return StudentResult.from_json(data)


# -- the worker pool ------------------------------------------------------------------------

class Pool:
    """``jobs`` worker processes; each holds at most two jobs: one it grades and the next,
    whose sandbox it starts meanwhile."""

    def __init__(self, settings: Settings, jobs: int):
        self.settings, self.size = settings, max(1, jobs)
        self.ctx = get_context("spawn")  # never fork a process that may run threads
        self.workers: list[_Worker] = []

    def run(self, jobs: Iterable[Job], on_result: Callable[[str, dict[str, Any]], None],
            on_notice: Callable[[str], None] = lambda text: None) -> None:
        queue = deque(jobs)
        try:
            for _ in range(min(self.size, len(queue))):
                self.workers.append(_Worker(self.ctx, self.settings))
            for worker in self.workers:
                self._feed(worker, queue, 2)
            while any(w.held for w in self.workers):
                live = [w for w in self.workers if w.held]
                ready = wait([w.conn for w in live] + [w.process.sentinel for w in live])
                for worker in live:
                    if worker.conn in ready:
                        try:
                            message = worker.conn.recv()
                        except (EOFError, OSError):  # it died: its pipe closed
                            worker.process.join(5)
                            self._replace(worker, queue, on_result)
                            continue
                        kind, *rest = message
                        if kind == "fatal":
                            what, text = rest
                            raise LessonError(text) if what == "lesson" else GradingFailed(text)
                        key, result, notices = rest
                        worker.held.remove(key)
                        for notice in notices:
                            on_notice(notice)
                        on_result(key, result)
                        self._feed(worker, queue, 1)
                    elif worker.process.sentinel in ready and not worker.process.is_alive():
                        self._replace(worker, queue, on_result)
        finally:
            self.close()

    def _feed(self, worker: "_Worker", queue: deque[Job], n: int) -> None:
        for _ in range(n):
            if not queue:
                return
            job = queue.popleft()
            worker.jobs[job.key] = job
            worker.held.append(job.key)
            worker.conn.send(job)

    def _replace(self, worker: "_Worker", queue: deque[Job],
                 on_result: Callable[[str, dict[str, Any]], None]) -> None:
        """A worker died (it never should: learner code runs in its own process). The job
        it was grading gets an error; the one it held next goes back in the queue."""
        code = worker.process.exitcode
        if worker.held:
            first, *rest = worker.held
            on_result(first, {"status": ERROR, "file": worker.jobs[first].filename,
                              "message": f"the grading process ended unexpectedly (exit code "
                                         f"{code}); run again to retry", "exercises": []})
            queue.extendleft(worker.jobs[k] for k in reversed(rest))
        worker.held.clear()
        worker.close()
        self.workers.remove(worker)
        if queue:
            fresh = _Worker(self.ctx, self.settings)
            self.workers.append(fresh)
            self._feed(fresh, queue, 2)

    def close(self) -> None:
        """Stop every worker: they kill their learners' processes and remove their scratch
        folders on the way out."""
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in self.workers:
            if worker.held:  # interrupted: do not wait for the grading in progress
                worker.process.terminate()
        deadline = time.monotonic() + 5
        for worker in self.workers:
            worker.process.join(max(0.1, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            worker.close()
        self.workers.clear()


class _Worker:
    def __init__(self, ctx: Any, settings: Settings):
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs, settings), daemon=True,
                                   name="tutor-grade-worker")
        self.process.start()
        theirs.close()
        self.jobs: dict[str, Job] = {}
        self.held: list[str] = []

    def close(self) -> None:
        self.conn.close()
        with contextlib.suppress(ValueError):
            self.process.close()


# -- inside a worker ------------------------------------------------------------------------

class _Stopped(BaseException):
    pass


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker's life: grade each job it is sent until it is sent None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    signal.signal(signal.SIGTERM, _stop)
    grading = None
    try:
        grading = _Grading(settings)
        grading.serve(conn)
    except (_Stopped, EOFError, OSError):
        pass
    except LessonError as e:  # the lesson cannot grade anything: the whole run stops
        with contextlib.suppress(OSError):
            conn.send(("fatal", "lesson", str(e)))
    except Exception as e:
        with contextlib.suppress(OSError):
            conn.send(("fatal", "worker", f"{type(e).__name__}: {e}"))
    finally:
        if grading is not None:
            grading.close()


class _Grading:
    def __init__(self, settings: Settings):
        from ..plugins import load_registry
        from ..sandbox.supervisor import Limits

        lesson = load_registry([Path(p) for p in settings.lessons_dirs]).get(settings.lesson)
        if lesson is None:
            raise GradingFailed(f"lesson {settings.lesson!r} is not installed in the worker")
        self.lesson = lesson
        self.settings = settings
        self.exercises = [lesson.exercise(name) for name in settings.exercises]
        self.limits = Limits(seconds=settings.time_limit, jail=settings.jail)
        _sweep_scratch()
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.prepared: dict[str, Any] = {}  # key -> a started sandbox
        self.templates: Any = None  # the lesson's known mistakes, built once

    def serve(self, conn: Connection) -> None:
        from ..sandbox import jail

        pending: deque[Job | None] = deque()
        while True:
            job = pending.popleft() if pending else conn.recv()
            if job is None:
                return
            if job.key not in self.prepared:
                self.prepare(job)
            if not pending and conn.poll():  # the next job: start its sandbox now
                nxt = conn.recv()
                pending.append(nxt)
                if nxt is not None:
                    self.prepare(nxt)
            result = self.grade(job)
            conn.send(("result", job.key, result, jail.notices()))

    def prepare(self, job: Job) -> None:
        from ..kernel_grader import sandbox_for

        folder = self.scratch / job.key
        folder.mkdir()
        path = folder / job.filename
        path.write_bytes(job.source)
        sandbox = sandbox_for(self.lesson, path, self.limits, hide=(self.lesson.folder,))
        sandbox.spawn()
        self.prepared[job.key] = sandbox

    def grade(self, job: Job) -> dict[str, Any]:
        from ..grader import ExerciseResult, Grader

        sandbox = self.prepared.pop(job.key)
        grader = Grader(self.lesson, sandbox.path, self.limits, seed=self.settings.seed,
                        sandbox=sandbox)
        if self.templates is not None:
            grader.templates = self.templates
        cap = self.settings.submission_time_limit
        started = time.monotonic()
        results: list[ExerciseResult] = []
        try:
            sandbox.start()
            for exercise in self.exercises:
                left = None if cap is None else cap - (time.monotonic() - started)
                if left is not None and left <= 0:
                    results.append(ExerciseResult(
                        exercise.id, "timeout", f"not run: the submission used up its time "
                        f"limit of {cap:g} s"))
                    continue
                grader.limits = (self.limits if left is None else
                                 replace(self.limits, seconds=min(self.limits.seconds, left)))
                results.append(grader.grade_exercise(exercise))
        except LessonError:
            raise
        except Exception as e:  # tutor's own failure: said, and graded again next run
            return {"status": ERROR, "file": job.filename, "exercises": [],
                    "message": f"tutor failed while grading: {type(e).__name__}: {e}"}
        finally:
            self.templates = grader.templates
            grader.close()
            shutil.rmtree(Path(sandbox.path).parent, ignore_errors=True)
        status = ERROR if any(r.verdict == "sandbox-error" for r in results) else GRADED
        message = next((r.message for r in results if r.verdict == "sandbox-error"), "")
        return {"status": status, "file": job.filename, "message": message,
                "seconds": time.monotonic() - started, "jail": sandbox.jail,
                "exercises": StudentResult("", "", status, exercises=results).to_json()
                ["exercises"]}

    def close(self) -> None:
        for sandbox in self.prepared.values():
            sandbox.close()
        self.prepared.clear()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _sweep_scratch() -> None:
    """Remove the scratch folders of workers that were killed before they could."""
    from ..sandbox.processes import sweep

    sweep(SCRATCH_PREFIX)
