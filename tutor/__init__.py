"""tutor: learn how deep learning works inside, one graded exercise at a time."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("tutor")
"""Marker for plugin hook implementations: ``@tutor.hookimpl``."""

from .cases import Case  # noqa: E402
from .lesson import Lesson  # noqa: E402

__all__ = ["Case", "Lesson", "hookimpl", "__version__"]
