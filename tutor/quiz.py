"""Quizzes: a lesson's ``quiz.toml`` catalog, posed to one learner and checked."""

import math
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .schema import CatalogError, Fields, LessonError, TomlFile

if TYPE_CHECKING:
    from .lesson import Lesson

KINDS = ("choice", "numeric")
LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str
    explanation: str
    line: int | None
    choices: tuple[str, ...] = ()
    answer: int = -1
    misconception: bool = False
    generator: str = ""
    tolerance: float = 0.01
    abs_tolerance: float = 0.005


@dataclass(frozen=True)
class Posed:
    """A question as one learner sees it: numbers filled in, answer known."""

    question: Question
    prompt: str
    explanation: str
    answer: float | int  # choice index, or the numeric answer

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def choices(self) -> tuple[str, ...]:
        return self.question.choices

    def parse(self, response: str) -> float | int:
        """The learner's response as a choice index or a number; ValueError says why not."""
        text = response.strip().lower().rstrip(")").strip()
        if self.question.kind == "choice":
            n = len(self.choices)
            if len(text) == 1 and text in LETTERS[:n]:
                return LETTERS.index(text)
            if text.isdigit() and 1 <= int(text) <= n:
                return int(text) - 1
            raise ValueError(f"answer with a letter a-{LETTERS[n - 1]} (or 1-{n})")
        try:
            value = float(Fraction(text)) if "/" in text else float(text)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise ValueError("answer with a number, e.g. 0.25, -3, 1e-3 or 1/4") from None
        if not math.isfinite(value):
            raise ValueError("answer with a finite number")
        return value

    def is_correct(self, value: float | int) -> bool:
        if self.question.kind == "choice":
            return value == self.answer
        q = self.question
        return abs(value - self.answer) <= max(q.abs_tolerance, q.tolerance * abs(self.answer))

    @property
    def answer_text(self) -> str:
        if self.question.kind == "choice":
            return f"{LETTERS[int(self.answer)]}) {self.choices[int(self.answer)]}"
        return f"{self.answer:.6g}"


class Quiz:
    def __init__(self, lesson: "Lesson", questions: list[Question]):
        self.lesson, self.questions = lesson, questions

    @classmethod
    def from_lesson(cls, lesson: "Lesson") -> "Quiz":
        path = lesson.folder / "quiz.toml"
        if not path.exists():
            return cls(lesson, [])
        toml = TomlFile(path)
        top = Fields(toml, toml.data, "")
        top.unknown({"format", "questions"})
        questions = []
        for i, table in enumerate(top.tables("questions")):
            questions.append(_question(toml, table, i))
        seen: set[str] = set()
        for q in questions:
            if q.id in seen:
                raise CatalogError(path, q.line, f"question id {q.id!r} is used twice")
            seen.add(q.id)
        quiz = cls(lesson, questions)
        for i, q in enumerate(questions):
            if q.kind == "numeric" and not callable(getattr(quiz._generators(), q.generator, None)):
                raise CatalogError(path, toml.line_of("generator", ("questions", i)),
                                   f"question {q.id!r}: quiz.py has no generator function "
                                   f"{q.generator!r}")
        return quiz

    def _generators(self) -> Any:
        return self.lesson.module("quiz")

    def pose(self, question: Question, learner: str) -> Posed:
        """Fill in the question's numbers for this learner (the same every time)."""
        if question.kind == "choice":
            return Posed(question, question.prompt, question.explanation, question.answer)
        seed = zlib.crc32(f"{learner}:{self.lesson.id}:{question.id}".encode())
        make = getattr(self._generators(), question.generator)
        where = f"{self.lesson.folder / 'quiz.py'}: {question.generator}()"
        try:
            params, answer = make(np.random.default_rng(seed))
            answer = float(answer)
            fill = dict(params, answer=f"{answer:.6g}")
            prompt, explanation = (question.prompt.format(**fill),
                                   question.explanation.format(**fill))
        except Exception as e:
            raise LessonError(f"{where} failed: {type(e).__name__}: {e}") from e
        if not math.isfinite(answer):
            raise LessonError(f"{where} gave the answer {answer}")
        return Posed(question, prompt, explanation, answer)


def _question(toml: TomlFile, table: dict[str, Any], i: int) -> Question:
    f = Fields(toml, table, f"question {i + 1}: ", ("questions", i))
    f.unknown({"id", "kind", "prompt", "choices", "answer", "misconception", "explanation",
               "generator", "tolerance", "abs_tolerance"})
    qid = f.get("id", str)
    f.where = f"question {qid!r}: "
    kind = f.get("kind", str)
    if kind not in KINDS:
        raise f.error("kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    common = {"id": qid, "kind": kind, "prompt": f.get("prompt", str),
              "explanation": f.get("explanation", str), "line": toml.line_of("", ("questions", i)),
              "misconception": f.get("misconception", bool, False)}
    if kind == "choice":
        choices = f.strings("choices")
        if not 2 <= len(choices) <= len(LETTERS):
            raise f.error("choices", f"give 2 to {len(LETTERS)} choices, not {len(choices)}")
        if len(set(choices)) != len(choices):
            raise f.error("choices", "two choices are the same")
        answer = f.get("answer", int)
        if not 0 <= answer < len(choices):
            raise f.error("answer", f"answer = {answer} is not the index of a choice "
                          f"(0 to {len(choices) - 1})")
        return Question(choices=tuple(choices), answer=answer, **common)
    for key in ("choices", "answer"):
        if key in table:
            raise f.error(key, f"a numeric question has no '{key}' (its generator computes it)")
    return Question(generator=f.get("generator", str),
                    tolerance=f.number("tolerance", 0.01, 0.0, 0.5),
                    abs_tolerance=f.number("abs_tolerance", 0.005, 0.0, 1e6), **common)
