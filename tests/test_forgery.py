"""Learner files that attack the grader: forged verdicts, extra or malformed frames,
streaming, hidden mutation. Each ends in a named verdict, never a pass and never a
traceback from tutor, and the other exercises are still graded right."""

import resource
import textwrap

import numpy as np
import pytest

from tutor.sandbox import wire

# Finds the harness inside the learner's own process (it runs as __main__).
HARNESS = """
import gc, sys
import numpy as np
_main = sys.modules["__main__"]
_wire = sys.modules[_main.write_message.__module__]
def _child():
    return next(o for o in gc.get_objects() if type(o) is _main.Child)
"""

JAILS = ["none", "auto"]


def attack(solution, source):
    return solution(textwrap.dedent(HARNESS) + textwrap.dedent(source))


@pytest.mark.parametrize("jail", JAILS)
@pytest.mark.parametrize("kind", ["pass", "skipped", "timeout", "mutated-input", "anything"])
def test_a_replaced_reply_function_cannot_report_a_verdict(kind, jail, solution, grade):
    path = attack(solution, f"""
        def _forge(self, fn, args, max_bytes):
            self.reply({{"status": "error", "kind": {kind!r}, "message": "all good"}})
        _main.Child.call = _forge
    """)
    results = grade(path, ["relu_forward", "affine_forward"], jail=jail)
    for result in results.values():
        assert result.verdict == "protocol-error", result.message
        assert not result.passed and "may not report" in result.checks[0].message


def test_a_frame_written_to_the_result_pipe_at_import_is_refused(solution, grade):
    path = attack(solution, """
        _wire.write_message(int(sys.argv[2]), {"id": 0, "status": "error", "kind": "pass",
                                               "message": "", "printed": {"text": "",
                                                                          "chars": 0}}, [])
    """)
    results = grade(path, ["relu_forward", "relu_backward"])
    assert {r.verdict for r in results.values()} == {"protocol-error"}


@pytest.mark.parametrize("jail", JAILS)
def test_an_extra_frame_cannot_shift_later_replies(jail, solution, grade):
    # A well-formed extra reply with the right id: the real one is then a reply to an old
    # request. This exercise fails; the others are graded in a fresh process and pass.
    path = attack(solution, """
        _relu = relu_forward
        def relu_forward(x):
            child = _child()
            enc = _wire.Encoder()
            value = enc.encode(np.maximum(x, 0))
            _wire.write_message(child.res_fd, {"id": child.request, "status": "ok",
                                "value": value, "aliases": [], "lists_changed": [],
                                "seconds": 0.0, "printed": {"text": "", "chars": 0}},
                                enc.blobs)
            return _relu(x)
    """)
    results = grade(path, ["relu_forward", "relu_backward", "affine_forward"], jail=jail)
    assert results["relu_forward"].verdict == "protocol-error"
    assert results["relu_backward"].passed and results["affine_forward"].passed


NPY_13 = (b"\x93NUMPY\x01\x00" + b"v\x00"
          + b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000,), }"
          .ljust(118) + b"\n" + b"\0" * 64)

MALFORMED = {
    "a header that is a JSON list": "self_write(b'[1, 2, 3]', [])",
    "a message that is not a string": (
        "self_reply({'status': 'error', 'kind': 'exception', 'message': 42})"),
    "a line that is not a number": (
        "self_reply({'status': 'error', 'kind': 'exception', 'message': '', 'line': 'x'})"),
    "printed output that is not text": (
        "self_reply({'status': 'ok', 'value': {'t': 'none'}, 'aliases': [], "
        "'lists_changed': [], 'seconds': 0.0, 'printed': [1]})"),
    "an .npy header declaring 10^13 elements": (
        "self_reply({'status': 'ok', 'value': {'t': 'nd', 'i': 0, 'cls': None}, "
        "'aliases': [], 'lists_changed': [], 'seconds': 0.0}, [NPY_13])"),
    "a blob index out of range": (
        "self_reply({'status': 'ok', 'value': {'t': 'nd', 'i': 7, 'cls': None}, "
        "'aliases': [], 'lists_changed': [], 'seconds': 0.0})"),
    "an alias index out of range": (
        "self_reply({'status': 'ok', 'value': {'t': 'none'}, 'aliases': [99], "
        "'lists_changed': [], 'seconds': 0.0})"),
    "a pickled object dtype": (
        "self_reply({'status': 'ok', 'value': {'t': 'big', 'shape': [2], 'dtype': '|O', "
        "'cls': None}, 'aliases': [], 'lists_changed': [], 'seconds': 0.0})"),
    "a value of an unknown kind": (
        "self_reply({'status': 'ok', 'value': {'t': 'pass'}, 'aliases': [], "
        "'lists_changed': [], 'seconds': 0.0})"),
    "an unknown status": "self_reply({'status': 'pass'})",
    "blob sizes that do not add up": "self_write(b'{\"blobs\": [5000]}', [])",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_reply_is_a_protocol_error(case, solution, grade):
    path = attack(solution, f"""
        NPY_13 = {NPY_13!r}
        def self_reply(header, blobs=()):
            c = _child()
            header = dict(header, id=c.request)
            header.setdefault("printed", {{"text": "", "chars": 0}})
            _wire.write_message(c.res_fd, header, list(blobs))
        def self_write(head, blobs):
            import os
            body = _wire._LEN.pack(len(head)) + head
            os.write(_child().res_fd, _wire._LEN.pack(len(body)) + body)
        def relu_forward(x):
            {MALFORMED[case]}
            import time
            time.sleep(30)
    """)
    results = grade(path, ["relu_forward", "relu_backward"], seconds=5)
    assert results["relu_forward"].verdict == "protocol-error", results["relu_forward"].message
    assert results["relu_backward"].passed


def test_streaming_cannot_grow_tutors_memory(solution, grade):
    path = attack(solution, """
        import os
        def relu_forward(x):
            fd = _child().res_fd
            os.write(fd, _wire._LEN.pack(1 << 40))  # claims a terabyte
            chunk = b"\\0" * (1 << 20)
            while True:
                os.write(fd, chunk)
    """)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = grade(path, ["relu_forward"], seconds=5)["relu_forward"]
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.verdict == "protocol-error" and "allowed" in result.checks[0].message
    assert grown_mb < 100


def test_a_slow_drip_within_the_size_cap_times_out(solution, grade):
    path = attack(solution, """
        import os, time
        def relu_forward(x):
            fd = _child().res_fd
            os.write(fd, _wire._LEN.pack(1000))
            while True:
                os.write(fd, b"{")
                time.sleep(0.5)
    """)
    result = grade(path, ["relu_forward"], seconds=2)["relu_forward"]
    assert result.verdict == "timeout"


@pytest.mark.parametrize("jail", JAILS)
def test_mutation_hidden_by_patching_the_harness_is_still_seen(jail, solution, grade):
    # The file mutates its input, then switches off every check the harness makes itself.
    path = attack(solution, """
        _main._aliases = lambda result, args: []
        _reply = _main.Child.reply
        def _quiet(self, header, blobs=None):
            header.pop("lists_changed", None)
            header["lists_changed"] = []
            return _reply(self, header, blobs)
        _main.Child.reply = _quiet
        def relu_forward(x):
            out = np.maximum(x, 0)
            x[...] = 0.0
            return out
    """)
    result = grade(path, ["relu_forward"], jail=jail)["relu_forward"]
    assert result.verdict == "mutated-input"


def test_a_returned_input_hidden_from_the_harness_is_still_compared(solution, grade):
    # Documented limit: returning an input can only be seen in the learner's process. Hiding
    # it gains nothing: the values are still the grader's to compare.
    path = attack(solution, """
        _main._aliases = lambda result, args: []
        def relu_backward(dout, x):
            dout[x <= 0] = 0.0
            return dout
    """)
    result = grade(path, ["relu_backward"])["relu_backward"]
    assert result.verdict == "mutated-input"


def test_a_process_that_cannot_start_is_a_named_verdict(solution, grade, monkeypatch):
    import errno

    from tutor.sandbox import processes

    def refuse(*args, **kwargs):
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(processes, "popen", refuse)
    results = grade(solution(""), ["relu_forward", "affine_forward"])
    for result in results.values():
        assert result.verdict == "sandbox-error"
        assert "process limit" in result.checks[0].message


# -- the wire format on its own -------------------------------------------------------------

def test_npy_blobs_are_checked_before_anything_is_allocated():
    with pytest.raises(wire.ProtocolError, match="does not match"):
        wire.load_npy(NPY_13)
    ok = wire.Encoder()
    desc = ok.encode(np.arange(6.0).reshape(2, 3).T)
    assert np.array_equal(wire.Decoder(ok.blobs).decode(desc), np.arange(6.0).reshape(2, 3).T)
    for blob in (b"", b"\x93NUMPY\x09\x00", b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 10,
                 b"\x93NUMPY\x01\x00\x10\x00{'descr': 'O'}\n"):
        with pytest.raises(wire.ProtocolError):
            wire.load_npy(blob)


def test_an_array_over_the_reply_budget_is_described_by_its_shape():
    enc = wire.Encoder(max_bytes=1000)
    desc = enc.encode(np.zeros((50, 50)))
    assert desc["t"] == "big" and not enc.blobs
    value = wire.Decoder([]).decode(desc)
    assert isinstance(value, wire.TooLarge) and value.shape == (50, 50)


def test_frame_headers_are_checked():
    for body in (b"", wire._LEN.pack(10**9) + b"{}", wire._LEN.pack(2) + b"[]",
                 wire._LEN.pack(2) + b"{}" + b"extra"):
        with pytest.raises(wire.ProtocolError):
            wire.unpack(body)
