"""Learner code that misbehaves ends in a named verdict, within the limit, and the other
exercises are still graded."""

import time

import pytest

FAILURES = {
    "infinite loop": ("def relu_forward(x):\n    while True:\n        pass\n", "timeout"),
    "sys.exit": ("import sys\ndef relu_forward(x):\n    sys.exit(1)\n", "exit"),
    "os._exit": ("import os\ndef relu_forward(x):\n    os._exit(3)\n", "exit"),
    "segfault": ("import ctypes\ndef relu_forward(x):\n    return ctypes.string_at(0)\n", "crash"),
    "MemoryError": ("import numpy as np\ndef relu_forward(x):\n"
                    "    return np.ones((1 << 20, 1 << 20))\n", "memory-limit"),
    "KeyboardInterrupt": ("def relu_forward(x):\n    raise KeyboardInterrupt\n",
                          "keyboard-interrupt"),
    "input()": ("def relu_forward(x):\n    return float(input('x? '))\n", "input"),
    "huge print": ("def relu_forward(x):\n    while True:\n        print('spam' * 1000)\n",
                   "output-limit"),
    "huge C-level output": ("import os\ndef relu_forward(x):\n    while True:\n"
                            "        os.write(1, b'y' * 65536)\n", "output-limit"),
    "exception": ("def relu_forward(x):\n    return x.no_such_method()\n", "exception"),
    "not implemented": ("def relu_forward(x):\n    raise NotImplementedError\n", "not-implemented"),
    "wrong signature": ("def relu_forward(x, y):\n    return x\n", "wrong-signature"),
    "wrong shape": ("def relu_forward(x):\n    return np.maximum(x, 0).ravel()\n", "wrong-shape"),
    "wrong dtype": ("def relu_forward(x):\n    return np.maximum(x, 0).astype(np.float32)\n",
                    "wrong-dtype"),
    "non-finite": ("def relu_forward(x):\n    return np.maximum(x, 0) / 0.0\n", "non-finite"),
    "ndarray subclass": ("def relu_forward(x):\n    return np.maximum(x, 0).view(np.recarray)\n",
                         "array-subclass"),
    "a list": ("def relu_forward(x):\n    return np.maximum(x, 0).tolist()\n", "wrong-type"),
    "None": ("def relu_forward(x):\n    np.maximum(x, 0)\n", "wrong-type"),
    "in-place": ("def relu_forward(x):\n    np.maximum(x, 0, out=x)\n    return x.copy()\n",
                 "mutated-input"),
    "returns its input": ("def relu_forward(x):\n    np.maximum(x, 0, out=x)\n    return x\n",
                          "mutated-input"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_named_verdict_and_others_still_graded(case, solution, grade):
    source, verdict = FAILURES[case]
    path = solution(source)
    started = time.monotonic()
    results = grade(path, ["relu_forward", "relu_backward", "affine_forward"], seconds=3)
    assert time.monotonic() - started < 15
    assert results["relu_forward"].verdict == verdict, results["relu_forward"].message
    assert results["relu_backward"].passed and results["affine_forward"].passed


def test_module_level_failures_fail_every_exercise_with_their_verdict(solution, grade):
    for source, verdict in [("def broken(:\n", "syntax-error"),
                            ("import no_such_module_anywhere\n", "import-error"),
                            ("raise SystemExit(2)\n", "exit"),
                            ("while True:\n    pass\n", "timeout")]:
        results = grade(solution(source, from_scratch=True), ["affine_forward", "relu_forward"],
                        seconds=2)
        assert {r.verdict for r in results.values()} == {verdict}, source


def test_syntax_error_names_the_line(solution, grade):
    path = solution("import numpy as np\n\ndef relu_forward(x)\n    return x\n", from_scratch=True)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "syntax-error"
    assert "line 3" in result.checks[0].message


def test_missing_function(solution, grade):
    result = grade(solution("import numpy as np\n", from_scratch=True),
                   ["affine_forward"])["affine_forward"]
    assert result.verdict == "missing-function"


def test_printing_cannot_forge_a_result(solution, grade):
    # Whatever the learner prints lands in the captured output, never in the result channel.
    from tutor.sandbox.wire import pack

    forged = pack({"status": "ok", "value": {"t": "float", "v": 0.0}, "inputs_after": [],
                   "aliases": [], "seconds": 0.0}, [])
    path = solution(f"""
        import sys, os
        def relu_forward(x):
            sys.stdout.buffer.write({forged!r}) if hasattr(sys.stdout, "buffer") else None
            os.write(1, {forged!r})
            print({forged!r})
            return x
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert not result.passed
    assert result.verdict in ("wrong-value", "returned-input")


def test_printed_output_is_reported_but_not_a_failure(solution, grade):
    path = solution("""
        def relu_forward(x):
            print("debugging", x.shape)
            return np.maximum(x, 0)
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.passed
    assert "debugging" in result.printed


def test_timeout_is_per_exercise_and_the_next_exercise_runs(solution, grade):
    path = solution("""
        import time
        def affine_forward(x, w, b):
            time.sleep(60)
    """)
    started = time.monotonic()
    results = grade(path, ["affine_forward", "affine_backward"], seconds=1)
    assert time.monotonic() - started < 5
    assert results["affine_forward"].verdict == "timeout"
    assert results["affine_backward"].passed


def test_without_the_jail_a_sibling_module_can_be_imported_and_no_bytecode_is_left(
        solution, grade, tmp_path):
    (tmp_path / "helpers.py").write_text("import numpy as np\n"
                                         "def relu(x):\n    return np.maximum(x, 0)\n")
    path = solution("""
        from helpers import relu
        def relu_forward(x):
            return relu(x)
    """)
    assert grade(path, ["relu_forward"], jail="none")["relu_forward"].passed
    assert not (tmp_path / "__pycache__").exists()


def test_main_block_of_the_learners_file_does_not_run(solution, grade):
    path = solution("""
        if __name__ == "__main__":
            raise SystemExit("my own quick test")
    """)
    assert grade(path, ["relu_forward"])["relu_forward"].passed


def test_writing_into_the_result_channel_is_caught(solution, grade):
    path = solution("""
        import os
        def relu_forward(x):
            for fd in range(3, 64):
                try:
                    os.write(fd, b"\\xff" * 64)
                except OSError:
                    pass
            return np.maximum(x, 0)
    """)
    results = grade(path, ["relu_forward", "relu_backward"], seconds=3)
    assert results["relu_forward"].verdict == "protocol-error"
    assert results["relu_backward"].passed


def test_a_huge_returned_array_is_described_not_transferred(solution, grade):
    path = solution("""
        def relu_forward(x):
            return np.zeros((1 << 26,) , dtype=np.float64)  # 512 MiB
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "wrong-shape" and "(67108864,)" in result.checks[0].message


def test_mutation_and_aliasing_inside_a_list_argument(tmp_path):
    import numpy as np

    from tutor.sandbox.supervisor import Sandbox

    path = tmp_path / "clip.py"
    path.write_text("def same(grads):\n    return grads\n"
                    "def copies(grads):\n    return [g.copy() for g in grads]\n"
                    "def scale(grads):\n    grads[1] *= 2\n    return [g.copy() for g in grads]\n"
                    "def grow(grads):\n    grads.append(grads[0])\n    return grads[:2]\n")
    grads = [np.ones(3), np.arange(2.0)]
    with Sandbox(path) as sandbox:
        seen = {fn: sandbox.call(fn, [[g.copy() for g in grads]], 5) for fn in
                ("same", "copies", "scale", "grow")}
    assert seen["same"].aliases == [0] and seen["copies"].aliases == []
    assert seen["copies"].mutated == [] and seen["same"].mutated == []
    assert seen["scale"].mutated == [0] and seen["grow"].mutated == [0]


# -- regressions found by adversarial learner files ----------------------------------------

def test_odd_text_from_learner_code_is_printable(solution, grade):
    path = solution("""
        def relu_forward(x):
            print("debug \\ud800")
            raise ValueError("bad \\ud800 value")
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "exception"
    (result.printed + result.checks[0].message).encode("utf-8")  # no lone surrogates left


def test_c_level_output_limit_is_per_call(solution, grade):
    path = solution("""
        import os
        _relu = relu_forward
        def relu_forward(x):
            os.write(1, b"." * 900_000)
            return _relu(x)
    """)
    assert grade(path, ["relu_forward"])["relu_forward"].passed


def test_a_file_named_like_a_standard_module_is_graded(tmp_path, backprop, grade):
    path = tmp_path / "ast.py"
    path.write_text(backprop.reference_path.read_text())
    assert grade(path, ["relu_forward"])["relu_forward"].passed


def test_module_getattr_that_raises(solution, grade):
    path = solution("def __getattr__(name):\n    raise RuntimeError('no')\n", from_scratch=True)
    assert grade(path, ["relu_forward"])["relu_forward"].verdict == "exception"


def test_closing_the_result_channel_is_named_within_the_limit(solution, grade):
    path = solution("""
        import os
        def relu_forward(x):
            os.closerange(3, 64)
            while True:
                pass
    """)
    started = time.monotonic()
    result = grade(path, ["relu_forward"], seconds=1)["relu_forward"]
    assert time.monotonic() - started < 4
    assert result.verdict == "crash" and "result channel" in result.checks[0].message


def test_a_scheduled_signal_is_not_blamed_on_memory(solution, grade):
    path = solution("import signal, time\nsignal.alarm(1)\n"
                    "def relu_forward(x):\n    time.sleep(5)\n", from_scratch=True)
    result = grade(path, ["relu_forward"], seconds=3)["relu_forward"]
    assert result.verdict == "killed" and "SIGALRM" in result.checks[0].message
    assert "memory" not in result.checks[0].message


def test_a_fork_at_import_does_not_answer_the_grader(solution, grade):
    path = solution("import os\nos.fork()\n")
    results = grade(path, ["relu_forward", "sigmoid_forward"])
    assert {r.verdict for r in results.values()} <= {"pass", "import-error"}


def test_graded_code_cannot_import_the_reference(solution, grade):
    for module in ("tutor_lessons.backprop.reference", "lessons.backprop.reference"):
        path = solution(f"from {module} import *\n", from_scratch=True)
        result = grade(path, ["relu_forward"])["relu_forward"]
        assert result.verdict == "import-error", module
        assert "reference solutions" in result.checks[0].message


# -- messages that say what happened -------------------------------------------------------

def test_writing_a_huge_file_is_not_called_printing(solution, grade):
    path = solution("""
        def relu_forward(x):
            with open("big.bin", "wb") as f:
                for _ in range(64):
                    f.write(b"x" * (1 << 20))
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "output-limit"
    assert "wrote too much to disk" in result.checks[0].message


def test_a_file_that_hangs_at_import_costs_one_timeout(solution, grade):
    path = solution("while True:\n    pass\n", from_scratch=True)
    started = time.monotonic()
    results = grade(path, ["relu_forward", "relu_backward", "affine_forward"], seconds=2)
    assert time.monotonic() - started < 5
    assert {r.verdict for r in results.values()} == {"timeout"}


def test_a_self_inflicted_sigkill_is_not_blamed_on_memory(solution, grade):
    path = solution("import os, signal\n"
                    "def relu_forward(x):\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "killed"
    assert "memory" not in result.checks[0].message
    assert "the code itself" in result.checks[0].message


def test_bidirectional_overrides_in_output_are_written_out(solution, grade):
    path = solution("""
        def relu_forward(x):
            print("ok \\u202e\\u2066 reversed")
            raise ValueError("\\u202d")
    """)
    result = grade(path, ["relu_forward"])["relu_forward"]
    shown = result.printed + result.checks[0].message + result.traceback
    assert not any(chr(c) in shown for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a)])
    assert "\\u202e" in result.printed and "\\u202d" in result.traceback


def test_an_exception_whose_str_raises_still_has_its_line(solution, grade):
    path = solution("""
        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no")
        def relu_forward(x):
            raise Odd()
    """, from_scratch=True)
    result = grade(path, ["relu_forward"])["relu_forward"]
    assert result.verdict == "exception" and result.line == 6
    assert "raise Odd()" in result.traceback


def test_threads_but_no_processes(solution, grade):
    path = solution("""
        import os, subprocess, threading
        _relu = relu_forward
        def relu_forward(x):
            box = []
            t = threading.Thread(target=lambda: box.append(_relu(x)))
            t.start()
            t.join()
            return box[0]
        def relu_backward(dout, x):
            subprocess.run(["true"])
        def sigmoid_forward(x):
            os.fork()
    """)
    results = grade(path, ["relu_forward", "relu_backward", "sigmoid_forward"])
    assert results["relu_forward"].passed
    for name in ("relu_backward", "sigmoid_forward"):
        assert results[name].verdict == "exception"
        assert "not permitted" in results[name].checks[0].message
