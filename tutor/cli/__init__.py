"""The ``tutor`` command line. Plain commands here; the terminal app lives elsewhere.

Imports stay inside the commands: ``tutor --help`` must not pay for NumPy, and nothing here
imports Numba.
"""

from . import check, dev, lab, learning, start  # noqa: F401  (each registers its commands)
from .base import cli, main

__all__ = ["cli", "main"]
