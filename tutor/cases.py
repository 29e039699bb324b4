"""A graded input: what a lesson's ``cases.py`` returns for each exercise."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    """One call of a learner's function: ``label`` says what it tests, ``args`` are passed
    positionally (leave trailing defaults out to grade the defaults)."""

    label: str
    args: tuple[Any, ...]
