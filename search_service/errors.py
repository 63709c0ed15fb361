"""Errors a user can act on, shared by every layer; the faces turn them into a JSON error or a CLI message."""

from __future__ import annotations


class QueryError(ValueError):
    """A query that cannot be run; the message says what to change."""


class IndexMissing(RuntimeError):
    """No published index at the given path."""


class RebuildRunning(RuntimeError):
    """Another rebuild holds the lock on this index directory."""
