"""Quizzes: a lesson's ``quiz.toml`` catalog, posed to one learner and checked.

A numeric question's generator (in the lesson's ``quiz.py``) returns ``(params, answer)``
or ``(params, answer, wrong)``: ``wrong`` maps each mistake the question exists to catch to
the number that mistake gives. Posing redraws the numbers until every one of those wrong
numbers, as computed and as rounded the way the prompt asks, is rejected.
"""

import math
import re
import zlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .schema import CatalogError, Fields, LessonError, TomlFile

if TYPE_CHECKING:
    from .lesson import Lesson

KINDS = ("choice", "numeric")
LETTERS = "abcdefgh"
MAX_DRAWS = 200  # draws of one question's numbers before its generator is called broken
_DECIMALS = re.compile(r"(\d+) decimal places?")
_SIGNIFICANT = re.compile(r"(\d+) significant (?:digits?|figures?)")


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

    @property
    def rounding(self) -> tuple[str, int]:
        """How the prompt asks for the answer: ("decimals", n), ("significant", n), or
        ("decimals", 0) for a prompt that says neither (its answer is a whole number)."""
        if m := _DECIMALS.search(self.prompt):
            return "decimals", int(m.group(1))
        if m := _SIGNIFICANT.search(self.prompt):
            return "significant", int(m.group(1))
        return "decimals", 0


@dataclass(frozen=True)
class Posed:
    """A question as one learner sees it: numbers filled in, answer known."""

    question: Question
    prompt: str
    explanation: str
    answer: float | int  # choice index, or the numeric answer
    wrong: dict[str, float] = field(default_factory=dict)  # mistake -> the number it gives

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

    def rounded(self, value: float) -> set[float]:
        """``value`` rounded as the prompt asks; both neighbours when it lies on a half."""
        kind, digits = self.question.rounding
        exact = Decimal(f"{value:.12g}")  # what a hand calculation gives, without float noise
        if kind == "significant" and exact != 0:
            digits -= exact.adjusted() + 1
        unit = Decimal(1).scaleb(-digits)
        return {float(exact.quantize(unit, rounding=mode))
                for mode in (ROUND_HALF_UP, ROUND_HALF_DOWN)}

    def accepted_wrong(self) -> list[str]:
        """The declared mistakes whose number is accepted, as computed or rounded."""
        return [name for name, value in self.wrong.items() if math.isfinite(value)
                and any(self.is_correct(v) for v in {value, *self.rounded(value)})]

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
        rng = np.random.default_rng(seed)
        for _ in range(MAX_DRAWS):
            posed = self._draw(question, make, rng, where)
            accepted = posed.accepted_wrong()
            if not accepted:
                return posed
        raise LessonError(f"{where}: in {MAX_DRAWS} draws the tolerance never rejected "
                          f"{', '.join(repr(a) for a in accepted)}")

    @staticmethod
    def _draw(question: Question, make: Any, rng: np.random.Generator, where: str) -> Posed:
        try:
            params, answer, *rest = make(rng)
            if len(rest) > 1:
                raise ValueError("a generator returns (params, answer) or "
                                 "(params, answer, wrong)")
            answer = float(answer)
            wrong = {str(k): float(v) for k, v in (rest[0] if rest else {}).items()}
            fill = dict(params, answer=f"{answer:.6g}")
            prompt, explanation = (question.prompt.format(**fill),
                                   question.explanation.format(**fill))
        except Exception as e:
            raise LessonError(f"{where} failed: {type(e).__name__}: {e}") from e
        if not math.isfinite(answer):
            raise LessonError(f"{where} gave the answer {answer}")
        return Posed(question, prompt, explanation, answer, wrong)


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
