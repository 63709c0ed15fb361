"""Reading the published generation: following `CURRENT`, one searcher per thread, stored records.

See `build/generations.py` for how generations are laid out and published.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, TimeoutError
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from search_service.deadline import Deadline
from search_service.engine.build.generations import current_generation, pointer_signature
from search_service.engine.build.lexicon_build import read_lexicon
from search_service.engine.facets import FacetTable
from search_service.engine.scoring import ProbabilisticBM25F
from search_service.engine.vocabulary import Vocabulary
from search_service.errors import IndexMissing
from search_service.records import Record, id_problem
from search_service.text.alignment import Alignment, align_texts
from search_service.text.lexicon import Lexicon
from search_service.text.morphology import load_dictionaries

# How often a reader looks for a newly published generation: one stat() per interval, at most.
CHECK_INTERVAL_SECONDS = 0.5

log = logging.getLogger(__name__)


class PublishedIndex:
    """The generation `CURRENT` names, opened for reading; a newer one is picked up when it is published."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        self._open: tuple[Path, whoosh_index.Index] | None = None  # the generation served, and its index
        self._signature: tuple[int, int] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        load_dictionaries()  # here, not inside the first search's time limit
        self._vocabulary: Future[Vocabulary] = Future()  # near terms of the generation served, being built
        self._facets: tuple[str, FacetTable] | None = None  # the latest generation's facets, shared by threads
        self._lexicon = Lexicon()  # the translations of the generation served
        self._refresh()

    def _refresh(self) -> None:
        """Switch to a newly published generation; keep serving the open one if the new one fails to open."""
        now = time.monotonic()
        if self._open is not None and now - self._checked_at < CHECK_INTERVAL_SECONDS:
            return
        with self._lock:
            if self._open is not None and now - self._checked_at < CHECK_INTERVAL_SECONDS:
                return
            self._checked_at = now
            signature = pointer_signature(self.index_dir)
            if self._open is None or signature != self._signature:
                self._switch()
                self._signature = signature

    def _switch(self) -> None:
        generation = current_generation(self.index_dir)
        if generation is None:
            if self._open is None:
                raise IndexMissing(f"no index at {self.index_dir}: run `search-service index` first")
            return
        if self._open is not None and generation == self._open[0]:
            return
        try:
            self._open = generation, whoosh_index.open_dir(str(generation))
        except Exception:
            if self._open is None:
                raise
            log.exception("cannot open %s; still serving %s", generation, self._open[0])
            return
        # A generation built before lexicons were learned translates nothing until the next rebuild.
        self._lexicon = (read_lexicon(generation) or (Lexicon(), ""))[0]
        # Seconds on a large index: built in the background, never inside a search.
        self._vocabulary = vocabulary = Future()
        threading.Thread(target=_build_vocabulary, args=(vocabulary, self._open[1]), daemon=True).start()

    def searcher(self) -> Searcher:
        """This thread's searcher, reopened when a new generation has been published."""
        self._refresh()
        generation, index = self._open
        local = self._local
        if getattr(local, "generation", None) != generation:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            local.searcher = index.searcher(weighting=ProbabilisticBM25F())
            local.generation = generation
        return local.searcher

    def facet_table(self, searcher: Searcher) -> FacetTable:
        """The facets and date orders of the generation `searcher` reads (one of this thread's), read once."""
        generation = self._local.generation.name
        served = self._facets
        if served is not None and served[0] == generation:
            return served[1]
        with self._lock:
            if self._facets is None or self._facets[0] != generation:
                self._facets = generation, FacetTable(searcher.reader())
            return self._facets[1]

    def lexicon(self) -> Lexicon:
        """The served generation's Russian-English lexicon (empty when it has none)."""
        self._refresh()
        return self._lexicon

    @property
    def generation(self) -> str:
        return self._open[0].name if self._open else ""

    def count(self) -> int:
        return self.searcher().doc_count()

    def record(self, record_id: str) -> tuple[Record, Alignment] | None:
        """A record with its passages and their Russian-English pairs, as worked out when it was indexed."""
        if id_problem(record_id):
            return None  # no record can have it: do not look up `../../etc/passwd` or a megabyte of id
        stored = self.searcher().document(id=record_id)
        return stored_record(stored) if stored else None

    def vocabulary(self, deadline: Deadline | None = None) -> Vocabulary | None:
        """The near-term vocabulary of the generation served; None when it is still being built at `deadline`."""
        try:
            return self._vocabulary.result(timeout=None if deadline is None else deadline.left())
        except TimeoutError:
            return None


def _build_vocabulary(future: Future, index: whoosh_index.Index) -> None:
    try:
        future.set_result(Vocabulary(index))
    except BaseException as exc:  # handed to the searches that wait for it
        future.set_exception(exc)


def stored_record(stored: dict) -> tuple[Record, Alignment]:
    """A record and its alignment from the fields a generation stores for it."""
    record = Record.from_json(json.loads(stored["record"]))
    # A generation built before alignments were stored is still served until the next rebuild.
    alignment = Alignment.from_json(stored["alignment"]) if "alignment" in stored else align_texts(record.texts)
    return record, alignment
