"""tutor: learn how deep learning works inside, one graded exercise at a time."""

from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("tutor")
"""Marker for plugin hook implementations: ``@tutor.hookimpl``."""

if TYPE_CHECKING:
    from .cases import Case
    from .lesson import Lesson

__all__ = ["Case", "Lesson", "hookimpl", "__version__"]


def __getattr__(name: str) -> Any:
    # Lesson and Case load on first use: the learner's sandboxed process imports this
    # package too, and must start fast.
    if name == "Lesson":
        from .lesson import Lesson

        return Lesson
    if name == "Case":
        from .cases import Case

        return Case
    raise AttributeError(f"module 'tutor' has no attribute {name!r}")
