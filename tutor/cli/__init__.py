"""The ``tutor`` command line. Plain commands here; the terminal app lives elsewhere.

Imports stay inside the commands: ``tutor --help`` must not pay for NumPy, and nothing here
imports Numba.
"""

# each module registers its commands
from . import check, dev, export, grade, lab, learning, start  # noqa: F401
from .base import cli, main

__all__ = ["cli", "main"]
