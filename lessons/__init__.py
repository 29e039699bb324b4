"""The built-in lessons, each a tutor plugin (see tutor/plugins.py)."""
