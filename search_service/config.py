"""Settings: defaults that work out of the box, overridden by the environment, then by CLI flags."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path


QUERY_LOG_NAME = "queries.sqlite"
MAX_QUERY_LOG_DAYS = 3660  # ten years


class SettingError(ValueError):
    """A setting from the environment that cannot be used; the message names it and says what it takes."""


@dataclass(frozen=True)
class Config:
    index_dir: Path = Path("index")
    documents_dir: Path = Path("documents")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    admin_token: str = field(default="", repr=False)  # empty: the admin endpoints are disabled
    metrics_token: str = field(default="", repr=False)  # empty: /metrics answers without a token
    # Who may embed the search: origins (`https://example.org`) allowed to call the public read API
    # from their pages (CORS) and to frame /embed (CSP frame-ancestors). ("*",) means any site.
    cors_origins: tuple[str, ...] = ("*",)
    frame_ancestors: tuple[str, ...] = ("*",)
    # Seconds a search may spend before it answers with what it found so far (`timed_out: true`).
    time_limit: float = 2.0
    # Requests per client address on the search API and pages, in Flask-Limiter's notation
    # ("60 per minute; 5 per second"); empty turns rate limiting off.
    rate_limit: str = ""
    # Where request counts live: "memory://" counts per server process; "redis://host" shares them.
    rate_limit_storage: str = "memory://"
    # Proxies in front of the service whose X-Forwarded-For is trusted for the client address.
    trusted_proxies: int = 0
    # The largest share of the index (0-1) a rebuild deletes without --prune; a run that would delete
    # more stops before writing, since a run pointed at the wrong folder looks like this.
    max_delete_share: float = 0.1
    # Megabytes of postings a full rebuild holds at a time, over all its processes: it writes a
    # segment each time they are reached, so its memory is bounded by this, not by the records' size.
    build_memory_mb: int = 256
    # The record metadata keys a search counts and filters by (`?collection=...`) and a result list
    # is exported with (`collection`, `type`).
    facets: tuple[str, ...] = ("collection", "type")
    # Days the query log keeps each search (0: no log at all), and its SQLite file (None: `queries.sqlite`
    # beside CURRENT in the index folder, outside the generations, so a rebuild never touches it).
    query_log_days: int = 30
    query_log: Path | None = None
    # How `replicate` reaches a `host:/path` replica (also rsync's remote shell): never a password
    # prompt (a timer has no one to answer it), and a host that does not answer is an error, not a hang.
    ssh_command: str = "ssh -o BatchMode=yes -o ConnectTimeout=15"
    # The replicas `replicate` brings up to date when given no --to: index folders or `host:/path`.
    replicas: tuple[str, ...] = ()

    @property
    def query_log_path(self) -> Path:
        """Where the query log is kept."""
        return self.query_log or self.index_dir / QUERY_LOG_NAME

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        """Environment variables (SEARCH_INDEX_DIR, SEARCH_ADMIN_TOKEN, PORT, ...), then `overrides`."""
        env = os.environ
        config = cls(
            index_dir=Path(env.get("SEARCH_INDEX_DIR", cls.index_dir)),
            documents_dir=Path(env.get("SEARCH_DOCUMENTS_DIR", cls.documents_dir)),
            host=env.get("SEARCH_HOST", cls.host),
            port=_number("PORT", env.get("PORT"), cls.port, 1, 65535),
            workers=_number("SEARCH_WORKERS", env.get("SEARCH_WORKERS"), cls.workers, 1, 64),
            threads=_number("SEARCH_THREADS", env.get("SEARCH_THREADS"), cls.threads, 1, 256),
            admin_token=env.get("SEARCH_ADMIN_TOKEN", ""),
            metrics_token=env.get("SEARCH_METRICS_TOKEN", ""),
            cors_origins=_origins("SEARCH_CORS_ORIGINS", env.get("SEARCH_CORS_ORIGINS"), cls.cors_origins, _ORIGIN),
            frame_ancestors=_origins("SEARCH_FRAME_ANCESTORS", env.get("SEARCH_FRAME_ANCESTORS"),
                                     cls.frame_ancestors, _FRAME_ANCESTOR),
            time_limit=_number("SEARCH_TIME_LIMIT", env.get("SEARCH_TIME_LIMIT"), cls.time_limit, 0.01, 600.0),
            rate_limit=env.get("SEARCH_RATE_LIMIT", cls.rate_limit),
            rate_limit_storage=env.get("SEARCH_RATE_LIMIT_STORAGE", cls.rate_limit_storage),
            trusted_proxies=_number("SEARCH_TRUSTED_PROXIES", env.get("SEARCH_TRUSTED_PROXIES"), cls.trusted_proxies,
                                    0, 10),
            max_delete_share=_share("SEARCH_MAX_DELETE_SHARE", env.get("SEARCH_MAX_DELETE_SHARE"),
                                    cls.max_delete_share),
            facets=_names("SEARCH_FACETS", env.get("SEARCH_FACETS"), cls.facets),
            query_log_days=_number("SEARCH_QUERY_LOG_DAYS", env.get("SEARCH_QUERY_LOG_DAYS"), cls.query_log_days,
                                   0, MAX_QUERY_LOG_DAYS),
            query_log=Path(env["SEARCH_QUERY_LOG"]) if (env.get("SEARCH_QUERY_LOG") or "").strip() else None,
            ssh_command=env.get("SEARCH_SSH", "").strip() or cls.ssh_command,
            replicas=tuple(env.get("SEARCH_REPLICAS", "").split()),
            build_memory_mb=_number("SEARCH_BUILD_MEMORY_MB", env.get("SEARCH_BUILD_MEMORY_MB"), cls.build_memory_mb,
                                    16, 1 << 20),
        )
        return replace(config, **{key: value for key, value in overrides.items() if value is not None})


_ORIGIN = re.compile(r"^(\*|https?://[^/\s;,'\"]+)$")
_FRAME_ANCESTOR = re.compile(r"^(\*|'self'|'none'|https?://[^/\s;,'\"]+)$")


def _origins(name: str, value: str | None, default: tuple[str, ...], pattern: re.Pattern) -> tuple[str, ...]:
    """Origins from a space- or comma-separated list; unset or blank keeps the default."""
    origins = tuple((value or "").replace(",", " ").split())
    for origin in origins:
        if not pattern.match(origin):
            raise SettingError(f"{name}: {origin!r} is not an origin like https://example.org (or *)")
    return origins or default


def _number(name: str, value: str | None, default: int | float, low: int | float, high: int | float
            ) -> int | float:
    """A whole number (or, when the default is a float, a decimal) from `low` to `high`; unset or blank
    keeps the default."""
    if not (value or "").strip():
        return default
    kind = type(default)
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        what = "a whole number" if kind is int else "a number"
        raise SettingError(f"{name}: {value!r} is not {what} from {low} to {high}")
    return number


def _names(name: str, value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """Record keys from a comma-separated list (`collection,type`); unset or blank keeps the default."""
    names = tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))
    for key in names:
        if not _KEY.match(key):
            raise SettingError(f"{name}: {key!r} is not a record key (letters, digits, _ and -)")
    return names or default


_KEY = re.compile(r"^\w[\w-]{0,63}$")


def _share(name: str, value: str | None, default: float) -> float:
    """A share from 0 to 1 (`0.1`); unset or blank keeps the default."""
    if not (value or "").strip():
        return default
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise SettingError(f"{name}: {value!r} is not a share from 0 to 1 (0.1 is 10%)")
    return share
