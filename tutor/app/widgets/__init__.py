"""Reusable widgets (their styles in DEFAULT_CSS)."""
