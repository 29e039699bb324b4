"""Finding each student's file in a class folder, and refusing every bad input with a
one-line reason on that submission (never a traceback, never a file written anywhere)."""

import os
import zipfile

import pytest

from tutor.classroom import submissions
from tutor.classroom.gradescope_metadata import read_submitters
from tutor.classroom.submissions import discover, safe_id

CODE = b"def relu_forward(x):\n    return x * (x > 0)\n"


def by_student(root, exclude=()):
    return {s.student: s for s in discover(root, "backprop", exclude=exclude)}


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_every_layout_of_an_entry(tmp_path):
    (tmp_path / "ann.py").write_bytes(CODE)
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "backprop.py").write_bytes(CODE)
    (tmp_path / "ben" / "helpers.py").write_bytes(b"x = 1\n")  # the lesson's name wins
    (tmp_path / "cai" / "src").mkdir(parents=True)
    (tmp_path / "cai" / "src" / "my_solution.py").write_bytes(CODE)  # the only .py
    write_zip(tmp_path / "dee.zip", {"backprop.py": CODE})
    write_zip(tmp_path / "eli.zip", {"eli/": b"", "eli/work.py": CODE, "eli/notes.txt": b"hi"})
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "__MACOSX").mkdir()
    found = by_student(tmp_path)
    assert sorted(found) == ["ann", "ben", "cai", "dee", "eli"]
    assert all(not s.refused and s.source == CODE for s in found.values()), found
    assert [found[s].filename for s in sorted(found)] == [
        "ann.py", "backprop.py", "my_solution.py", "backprop.py", "work.py"]
    assert found["eli"].entry == "eli.zip"


@pytest.mark.parametrize("make, reason", [
    (lambda d: (d / "x").mkdir(), "x has no .py file"),
    (lambda d: [(d / "x").mkdir(), (d / "x" / "a.py").write_bytes(CODE),
                (d / "x" / "b.py").write_bytes(CODE)],
     "x has 2 .py files (a.py, b.py) and none is named backprop.py"),
    (lambda d: [(d / "x" / "a").mkdir(parents=True), (d / "x" / "b").mkdir(),
                (d / "x" / "a" / "backprop.py").write_bytes(CODE),
                (d / "x" / "b" / "backprop.py").write_bytes(CODE)],
     "x has 2 files named backprop.py (a/backprop.py, b/backprop.py): keep one"),
    (lambda d: (d / "x.py").write_bytes(b"# caf\xe9 latin-1\n"),
     "x.py is not UTF-8 text (byte 0xe9 at offset 5): save it as UTF-8"),
    (lambda d: (d / "x.ipynb").write_text("{}"), "x.ipynb is not a .py file, a folder or a .zip"),
    (lambda d: (d / "x.py").write_bytes(b"#" * (submissions.MAX_FILE_BYTES + 1)),
     "x.py is larger than 1 MB"),
    (lambda d: (d / "x.zip").write_bytes(b"PK\x03\x04 not really"), "x.zip is not a readable zip"),
    (lambda d: write_zip(d / "x.zip", {"notes.txt": b"hi"}), "x.zip has no .py file"),
    (lambda d: write_zip(d / "x.zip", {"../../evil.py": CODE}),
     "x.zip holds an entry with an unsafe path ('../../evil.py'"),
    (lambda d: write_zip(d / "x.zip", {"/etc/cron.d/evil.py": CODE}),
     "x.zip holds an entry with an unsafe path ('/etc/cron.d/evil.py'"),
    (lambda d: write_zip(d / "x.zip", {"ok/backprop.py": CODE, "ok/../../up.txt": b""}),
     "unsafe path"),
    # A zip bomb: 1 kB on disk, a member that unpacks to more than a graded file may be.
    (lambda d: write_zip(d / "x.zip", {"backprop.py": b" " * (submissions.MAX_FILE_BYTES + 1)}),
     "x.zip: backprop.py is larger than 1 MB"),
])
def test_bad_entries_are_refused_with_one_line(tmp_path, make, reason):
    make(tmp_path)
    (sub,) = discover(tmp_path, "backprop")
    assert sub.student == "x" and sub.refused and not sub.source
    assert reason in sub.problem and "\n" not in sub.problem, sub.problem


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_ZIP_BYTES", 8 << 20)
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("backprop.py", CODE)
        with zf.open("padding.bin", "w") as member:  # 16 MB of zeros, 16 kB compressed
            for _ in range(16):
                member.write(bytes(1 << 20))
    assert path.stat().st_size < 100_000
    (sub,) = discover(tmp_path, "backprop")
    assert sub.problem == "x.zip declares 16 MB uncompressed (a zip bomb?)"


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused(tmp_path):
    path = write_zip(tmp_path / "x.zip", {"backprop.py": CODE + b"#" * 4000})
    data = bytearray(path.read_bytes())
    size = (len(CODE) + 4000).to_bytes(4, "little")
    for at in (i for i in range(len(data)) if data[i:i + 4] == size):
        data[at:at + 4] = (10).to_bytes(4, "little")  # the headers now say 10 bytes
    path.write_bytes(bytes(data))
    (sub,) = discover(tmp_path, "backprop")
    assert sub.refused and "x.zip" in sub.problem


def test_nothing_is_ever_written_while_reading_zips(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    write_zip(classroom / "x.zip", {"../../escaped.py": CODE, "/tmp/abs.py": CODE})
    before = sorted(p for p in tmp_path.rglob("*"))
    discover(classroom, "backprop")
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_symlinks_are_never_followed_outside_a_submission(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_bytes(b"SECRET = 1\n")
    classroom = tmp_path / "class"
    (classroom / "x").mkdir(parents=True)
    (classroom / "x" / "backprop.py").symlink_to(secret)
    (classroom / "y").mkdir()
    (classroom / "y" / "real.py").write_bytes(CODE)
    (classroom / "y" / "backprop.py").symlink_to("real.py")  # inside: followed
    (classroom / "z").symlink_to(tmp_path)  # the whole entry points outside
    (classroom / "w").mkdir()
    (classroom / "w" / "linked").symlink_to(tmp_path, target_is_directory=True)
    (classroom / "w" / "solution.py").write_bytes(CODE)
    found = by_student(classroom)
    assert "outside the submission (not followed)" in found["x"].problem
    assert not found["x"].source
    assert found["y"].source == CODE and found["y"].filename == "backprop.py"
    assert "outside the submissions folder (not followed)" in found["z"].problem
    assert found["w"].source == CODE  # the symlinked folder is not searched


def test_two_submissions_for_one_student_are_both_refused(tmp_path):
    (tmp_path / "alice.py").write_bytes(CODE)
    write_zip(tmp_path / "alice.zip", {"backprop.py": CODE})
    (tmp_path / "Bob.py").write_bytes(CODE)
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "backprop.py").write_bytes(CODE)
    (tmp_path / "carl.py").write_bytes(CODE)
    found = by_student(tmp_path)
    assert sorted(found, key=str.casefold) == ["alice", "Bob", "carl"]
    assert found["alice"].problem == ("2 submissions for student 'alice' (alice.py, "
                                      "alice.zip): keep one")
    assert "Bob.py, bob" in found["Bob"].problem
    assert not found["carl"].refused


def test_the_out_folder_inside_the_class_folder_is_not_a_submission(tmp_path):
    (tmp_path / "alice.py").write_bytes(CODE)
    (tmp_path / "grades" / "results").mkdir(parents=True)
    (tmp_path / "grades" / "results" / "alice.json").write_text("{}")
    assert list(by_student(tmp_path, exclude=[tmp_path / "grades"])) == ["alice"]


def test_student_ids_are_safe_file_names():
    assert safe_id("alice") == "alice"
    assert safe_id("a/b\\c d") == "a_b_c_d"
    assert safe_id("..") == "_."
    assert safe_id("") == "_"
    assert safe_id("ada@example.edu") == "ada@example.edu"


METADATA = """\
---
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  - :name: "Charles \\"C\\" Babbage"
    :email: cb@example.edu
  :created_at: 2024-01-01 10:00:00.000000000 -08:00
  :score: 3.0
  :results:
    output: |-
      :submitters:
      - :name: not a student
        :sid: '666'
    tests: []
submission_102:
  :submitters:
    - :name: Grace Hopper
      :sid: ''
      :email: grace@example.edu
  :history: []
"""


def test_gradescope_export_folder(tmp_path):
    export = tmp_path / "assignment_1_export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(METADATA)
    for folder in ("submission_101", "submission_102", "submission_103"):
        (export / folder).mkdir()
        (export / folder / "backprop.py").write_bytes(CODE)
    assert read_submitters(export / "submission_metadata.yml") == {
        "submission_101": ["1815", "cb@example.edu"],
        "submission_102": ["grace@example.edu"]}
    for root in (export, tmp_path):  # the export folder, or the folder it was unzipped in
        found = by_student(root)
        # a group submission counts for each member; a folder missing from the metadata
        # keeps its own name
        assert sorted(found) == ["1815", "cb@example.edu", "grace@example.edu",
                                 "submission_103"]
        assert found["cb@example.edu"].entry == "submission_101"
        assert all(s.source == CODE for s in found.values())


def test_a_pipe_posing_as_a_file_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / "x.py")  # reading it would block forever
    (tmp_path / "y").mkdir()
    os.mkfifo(tmp_path / "y" / "backprop.py")
    found = by_student(tmp_path)
    assert found["x"].problem == "x.py is not a file or a folder"
    assert found["y"].problem == "y/backprop.py is not a regular file"


def test_names_are_shown_without_terminal_escapes(tmp_path):
    (tmp_path / "x\x1b[2Jy.txt").write_text("")  # would clear the instructor's screen
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "my\x07 file.py").write_bytes(CODE)
    subs = discover(tmp_path, "backprop")
    shown = " ".join(f"{s.entry} {s.filename} {s.problem}" for s in subs)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "x\\x1b[2Jy.txt is not a .py file" in shown
    assert {s.filename for s in subs} == {"", "my__file.py"}
