"""Building, publishing and reading index generations.

An index directory holds generations side by side and a `CURRENT` file naming the published one.
A build writes a new generation and then replaces `CURRENT` in one rename, so readers never see
a half-written index and a failed build leaves the previous generation serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh import query
from whoosh.searching import Searcher

from search_service.engine import querying
from search_service.engine.schema import LANGUAGE_FIELDS, TEXT_FIELDS, build_schema
from search_service.records import Record

CURRENT = "CURRENT"
GENERATION_PREFIX = "gen-"


class IndexMissing(RuntimeError):
    """No published index at the given path."""


@dataclass(frozen=True)
class EngineHit:
    id: str
    score: float
    record: dict


@dataclass(frozen=True)
class EngineResult:
    total: int
    hits: list[EngineHit]
    terms: dict[str, frozenset[str]]  # field -> index terms a hit may be highlighted for
    relaxed: bool  # no record had every word, so records with most words were returned


def content_hash(record: Record) -> str:
    return hashlib.sha256(json.dumps(record.to_json(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _fields_for(record: Record) -> dict:
    fields = {"id": record.id, "title": record.title, "summary": record.summary, "citation": record.citation,
              "langs": ",".join(sorted(record.texts)), "content_hash": content_hash(record),
              "record": json.dumps(record.to_json(), ensure_ascii=False)}
    if record.year is not None:
        fields["year"] = record.year
    for lang in LANGUAGE_FIELDS:
        if record.texts.get(lang):
            fields[lang] = record.texts[lang]
    return fields


def build_generation(records: Iterable[Record], index_dir: Path) -> Path:
    """Write all records into a new generation and publish it; return the generation's path."""
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"{GENERATION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    generation.mkdir()
    try:
        ix = whoosh_index.create_in(str(generation), build_schema())
        writer = ix.writer(limitmb=256)
        for record in records:
            writer.add_document(**_fields_for(record))
        writer.commit()
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    publish(index_dir, generation)
    return generation


def publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at `generation` atomically, then drop generations older than the one replaced."""
    previous = current_generation(index_dir)
    pointer = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    pointer.write_text(generation.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT)
    keep = {generation.name} | ({previous.name} if previous else set())
    for old in index_dir.glob(f"{GENERATION_PREFIX}*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


class Engine:
    """A published index, opened for searching; picks up a newer generation when one is published."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        self._generation: Path | None = None
        self._index = None
        self._lock = threading.Lock()
        self._refresh()

    @classmethod
    def build(cls, records: Iterable[Record], index_dir: Path) -> "Engine":
        build_generation(records, Path(index_dir))
        return cls(index_dir)

    @classmethod
    def open(cls, index_dir: Path) -> "Engine":
        return cls(index_dir)

    def _refresh(self) -> None:
        generation = current_generation(self.index_dir)
        if generation is None:
            raise IndexMissing(f"no index at {self.index_dir}: run `search-service index` first")
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    self._index = whoosh_index.open_dir(str(generation))
                    self._generation = generation

    def _searcher(self) -> Searcher:
        """One searcher per thread, reopened when a new generation has been published."""
        self._refresh()
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            local.searcher = self._index.searcher()
            local.generation = self._generation
        return local.searcher

    @property
    def generation(self) -> str:
        return self._generation.name if self._generation else ""

    def count(self) -> int:
        return self._searcher().doc_count()

    def document(self, record_id: str) -> dict | None:
        stored = self._searcher().document(id=record_id)
        return json.loads(stored["record"]) if stored else None

    @staticmethod
    def _fields(lang: str | None) -> tuple[str, ...]:
        if lang is None:
            return TEXT_FIELDS
        return tuple(f for f in TEXT_FIELDS if f not in LANGUAGE_FIELDS or f == lang)

    def search(self, text: str, page: int, per_page: int, lang: str | None = None) -> EngineResult:
        """Records with every word first; when none has them all, records with the most words."""
        searcher = self._searcher()
        fields = self._fields(lang)
        lang_filter = query.Term("langs", lang) if lang else None
        relaxed = False
        q = querying.parse(searcher.schema, text, fields, all_words=True)
        results = searcher.search(querying.with_proximity(searcher.schema, q, text, fields),
                                  limit=page * per_page, filter=lang_filter)
        if results.is_empty() and not querying.has_negation(q):
            relaxed_q = querying.parse(searcher.schema, text, fields, all_words=False)
            if relaxed_q != q:
                q, relaxed = relaxed_q, True
                results = searcher.search(querying.with_proximity(searcher.schema, q, text, fields),
                                          limit=page * per_page, filter=lang_filter)
        hits = [EngineHit(hit["id"], float(hit.score), json.loads(hit["record"]))
                for hit in results[(page - 1) * per_page:page * per_page]]
        return EngineResult(total=len(results), hits=hits, terms=self._terms(q, searcher), relaxed=relaxed)

    def query_terms(self, text: str) -> dict[str, frozenset[str]]:
        """The index terms, by field, that `text` as a query would match (for highlighting a record)."""
        searcher = self._searcher()
        return self._terms(querying.parse(searcher.schema, text, TEXT_FIELDS, all_words=False), searcher)

    @staticmethod
    def _terms(q: query.Query, searcher: Searcher) -> dict[str, frozenset[str]]:
        reader = searcher.reader()
        terms: dict[str, set[str]] = {}
        for leaf in querying.positive_leaves(q):
            for field, text in leaf.expanded_terms(reader, phrases=True):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                terms.setdefault(field, set()).add(text)
        return {field: frozenset(texts) for field, texts in terms.items()}
