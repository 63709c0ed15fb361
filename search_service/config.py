"""Settings: defaults that work out of the box, overridden by the environment, then by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Config:
    index_dir: Path = Path("index")
    documents_dir: Path = Path("documents")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    admin_token: str = field(default="", repr=False)  # empty: the admin endpoints are disabled

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        """Environment variables (SEARCH_INDEX_DIR, SEARCH_ADMIN_TOKEN, PORT, ...), then `overrides`."""
        env = os.environ
        config = cls(
            index_dir=Path(env.get("SEARCH_INDEX_DIR", cls.index_dir)),
            documents_dir=Path(env.get("SEARCH_DOCUMENTS_DIR", cls.documents_dir)),
            host=env.get("SEARCH_HOST", cls.host),
            port=int(env.get("PORT", cls.port)),
            workers=int(env.get("SEARCH_WORKERS", cls.workers)),
            threads=int(env.get("SEARCH_THREADS", cls.threads)),
            admin_token=env.get("SEARCH_ADMIN_TOKEN", ""),
        )
        return replace(config, **{key: value for key, value in overrides.items() if value is not None})
