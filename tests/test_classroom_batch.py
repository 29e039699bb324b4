"""The worker pool and the store under failure: a worker that dies, a sandbox that cannot
start, a store file that is damaged. Each ends in a named result, never a lost one."""

import errno
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from classroom_helpers import REFERENCE

from tutor.classroom import batch
from tutor.classroom.batch import Job, Pool, Settings, Store
from tutor.classroom.results import ERROR, GRADED


def settings(backprop, **kw):
    base = dict(lesson="backprop", lessons_dirs=(), exercises=("relu_forward",), seed=7,
                time_limit=10.0, submission_time_limit=None, jail="auto")
    return Settings(**dict(base, **kw))


def test_a_worker_that_dies_costs_one_result_and_the_rest_are_graded(backprop):
    slow = Job("a" * 64, "slow.py", ("import time\ntime.sleep(5)\n" + REFERENCE).encode())
    fast = [Job(c * 64, f"{c}.py", REFERENCE.encode()) for c in "bcd"]
    pool = Pool(settings(backprop), jobs=1)
    results = {}
    killed = []

    def kill_the_worker():
        time.sleep(2)
        killed.append(pool.workers[0].process.pid)
        os.kill(killed[0], signal.SIGKILL)

    threading.Thread(target=kill_the_worker, daemon=True).start()
    pool.run([slow, *fast], lambda key, result: results.setdefault(key, result))
    assert results["a" * 64]["status"] == ERROR
    assert "ended unexpectedly (exit code -9); run again" in results["a" * 64]["message"]
    for job in fast:  # the job it held next went back in the queue
        assert results[job.key]["status"] == GRADED
        assert results[job.key]["exercises"][0]["verdict"] == "pass"
    assert pool.workers == []  # all stopped and reaped
    # the files the killed worker held are removed by the worker that replaced it
    assert not list(Path(tempfile.gettempdir()).glob(f"{batch.SCRATCH_PREFIX}{killed[0]}-*"))


def test_a_sandbox_that_cannot_start_is_an_error_graded_again_next_time(backprop,
                                                                        monkeypatch):
    from tutor.sandbox import processes

    def refuse(*args, **kwargs):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(processes, "popen", refuse)
    grading = batch._Grading(settings(backprop, exercises=("relu_forward", "relu_backward")))
    try:
        job = Job("e" * 64, "backprop.py", REFERENCE.encode())
        grading.prepare(job)
        result = grading.grade(job)
    finally:
        grading.close()
    assert result["status"] == ERROR and "process limit" in result["message"]
    assert [e["verdict"] for e in result["exercises"]] == ["sandbox-error", "sandbox-error"]


def test_the_submission_time_limit_caps_a_whole_submission(backprop):
    looping = REFERENCE + "\ndef relu_forward(x):\n    while True:\n        pass\n"
    grading = batch._Grading(settings(backprop, time_limit=3.0, submission_time_limit=1.0,
                                      exercises=("relu_forward", "relu_backward")))
    try:
        job = Job("f" * 64, "backprop.py", looping.encode())
        grading.prepare(job)
        started = time.monotonic()
        result = grading.grade(job)
        seconds = time.monotonic() - started
    finally:
        grading.close()
    first, second = result["exercises"]
    assert first["verdict"] == "timeout" and seconds < 2.5
    assert second["verdict"] == "timeout"
    assert "used up its time limit of 1 s" in second["message"]


def test_a_damaged_store_entry_is_graded_again(tmp_path):
    store = Store(tmp_path)
    store.put("k" * 64, {"status": GRADED, "exercises": []})
    assert store.get("k" * 64) == {"status": GRADED, "exercises": []}
    (tmp_path / ".cache" / f"{'k' * 64}.json").write_text('{"schema": 1, "key": "k", "res')
    assert store.get("k" * 64) is None
    (tmp_path / ".cache" / f"{'k' * 64}.json").write_text(
        '{"schema": 1, "key": "other", "result": {}}')
    assert store.get("k" * 64) is None
    assert store.get("missing") is None
