"""Errors a user can act on, shared by every layer; the faces turn them into a JSON error or a CLI message."""

from __future__ import annotations


class UserError(Exception):
    """An error whose message says what is wrong and what to do; the faces show it without a traceback."""


class QueryError(UserError, ValueError):
    """A query that cannot be run; the message says what to change."""


class IndexMissing(UserError, RuntimeError):
    """No published index at the given path."""


class RebuildRunning(UserError, RuntimeError):
    """Another rebuild holds the lock on this index directory."""


class DocumentsMissing(UserError):
    """The documents folder or file a rebuild was pointed at (or remembers) does not exist."""


class IndexNotWritable(UserError):
    """The index folder cannot be created or written to."""


class PortInUse(UserError):
    """The server cannot listen on the address and port it was given."""


class ManifestMissing(UserError):
    """A published generation without a readable manifest: it cannot be replicated and checked."""


class ReplicationFailed(UserError):
    """A replica could not be brought up to date; what it served before is still served."""
