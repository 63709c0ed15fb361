"""A generation's postings and field lengths as numpy arrays, decoded once and shared by its searches.

Whoosh walks a matcher tree in Python, posting by posting (about 100 microseconds a matching
record, with BM25F, the collector and the counts). Here a term's record numbers and frequencies are
decoded a block at a time into two arrays, kept (within a memory budget) for the generation
served, so a query is scored with a few array operations over every record (`vectorised.py`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher

from search_service.engine.scoring import B, ProbabilisticBM25F

# Decoded postings kept per worker: 8 bytes a posting, so about 2 M postings; a common English word
# at 4x (47,000 records) is 0.4 MB. Past the budget the least recently used term goes. Small enough
# for a worker to stay under 300 MB at 4x; 300 queries of the users' mix fill about 8 MB of it.
POSTINGS_BUDGET_BYTES = 16 * 2**20
# The share of the budget `PostingArrays.warm` fills with the most frequent terms before a server
# forks its workers; the rest is for the terms its users' queries bring.
WARM_SHARE = 0.75


@dataclass(frozen=True)
class Blocks:
    """Where a term's posting blocks are: the index of each block's first posting, its file offset."""

    first: np.ndarray
    offsets: np.ndarray


@dataclass(frozen=True)
class Postings:
    docs: np.ndarray  # record numbers, int32, ascending
    weights: np.ndarray  # the term's frequency in each, float32
    blocks: Blocks | None  # None when the term's positions are found by walking its matcher


_EMPTY = Postings(np.zeros(0, np.int32), np.zeros(0, np.float32), None)


class PostingArrays:
    """One generation's postings by (field, term), and each field's length normalisation, as arrays."""

    def __init__(self, index) -> None:
        """`index`: the generation's Whoosh index."""
        self._index, self._thread = index, threading.local()
        reader = self._reader()
        self.size = reader.doc_count_all()  # record numbers run below this (deleted ones included)
        self._offsets = [offset for _, offset in reader.leaf_readers()]
        self.live = np.zeros(self.size, bool)
        self.live[np.fromiter(reader.all_doc_ids(), np.int64)] = True
        self._cache: OrderedDict[tuple[str, bytes], Postings] = OrderedDict()
        self._cached_bytes = 0
        self._norms: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def _segments(self) -> list:
        """This thread's segment readers, with the record number each starts at (listed once: the
        proximity boost asks for them for every posting it reads)."""
        self._reader()
        return self._thread.segments

    def _reader(self):
        # One per thread: a reader's files are read with seek() and read(), which threads must not share.
        # A thread's searcher is not used either: it closes when the thread moves to a newer generation.
        reader = getattr(self._thread, "reader", None)
        if reader is None:
            reader = self._thread.reader = self._index.reader()
            self._thread.segments = list(reader.leaf_readers())
        return reader

    def postings(self, field: str, btext: bytes) -> Postings:
        """The live records holding the term, with its frequency in each."""
        key = (field, btext)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = self._decode(field, btext)
        self._keep(key, found)
        return found

    def _keep(self, key: tuple[str, bytes], found: Postings) -> None:
        size = _size(found)
        with self._lock:
            if key not in self._cache and size <= POSTINGS_BUDGET_BYTES:
                self._cache[key] = found
                self._cached_bytes += size
                while self._cached_bytes > POSTINGS_BUDGET_BYTES:
                    self._cached_bytes -= _size(self._cache.popitem(last=False)[1])

    def warm(self, fields: Iterable[str], budget: float = WARM_SHARE * POSTINGS_BUDGET_BYTES) -> None:
        """Decode the postings of the fields' most frequent terms, most frequent first, while the
        cache holds no more than `budget` bytes: a server does it before forking its workers, which
        then share them, so that no user's search waits for `the` or `и` to be decoded. The most
        frequent are left the most recently used, the last the least recent cache evicts."""
        warmed = []
        for key in frequent_terms(self._reader(), fields):
            found = self._cache.get(key) or self._decode(*key)
            if key not in self._cache and self._cached_bytes + _size(found) > budget:
                break
            self._keep(key, found)
            warmed.append(key)
        with self._lock:
            for key in reversed(warmed):
                self._cache.move_to_end(key)

    def norms(self, searcher, field: str) -> np.ndarray:
        """BM25F's length normalisation of the field for each record, 1 - b + b * length / mean length,
        from the lengths and mean the searcher's `ProbabilisticBM25F` scores with."""
        found = self._norms.get(field)
        if found is None:
            model = searcher.weighting if isinstance(searcher.weighting, ProbabilisticBM25F) else ProbabilisticBM25F()
            lengths = np.zeros(self.size, np.float64)
            for segment, offset in self._segments:
                # 1 for an empty field, as `ProbabilisticBM25F.field_lengths` reads it.
                lengths[offset:offset + segment.doc_count_all()] = [
                    segment.doc_field_length(docnum, field, 1) for docnum in range(segment.doc_count_all())]
            found = self._norms[field] = 1 - B + B * lengths / model.average_length(searcher, field)
        return found

    def place(self, field: str, btext: bytes, docnum: int) -> int | None:
        """The index of the record among the term's postings; None when the term is not in its field."""
        docs = self.postings(field, btext).docs
        place = int(docs.searchsorted(docnum))  # the method: np.searchsorted's Python wrapper costs more
        return place if place < len(docs) and docs[place] == docnum else None

    def value(self, field: str, btext: bytes, docnum: int, place: int, opened: dict, kind: str) -> list:
        """The term's `kind` of value ("positions", "characters") in the record's field, the record
        being the term's posting number `place`. `opened` keeps the matchers and blocks read for one
        search: the records that could reach a page share the blocks of a common term."""
        found = self.postings(field, btext)
        number = bisect_right(self._offsets, docnum) - 1
        segment, offset = self._segments[number]
        matcher = opened.get((number, field, btext)) or _leaf(segment.postings(field, btext))
        opened[number, field, btext] = matcher
        if found.blocks is None or not isinstance(matcher, W3LeafMatcher):
            if not matcher.is_active() or matcher.id() > docnum - offset:
                matcher = opened[number, field, btext] = _leaf(segment.postings(field, btext))  # it walks forward
            matcher.skip_to(docnum - offset)
            return list(matcher.value_as(kind))
        # Straight to the posting's block from where decoding found it; the block's values are kept.
        index = int(found.blocks.first.searchsorted(place, side="right")) - 1
        values = opened.get((number, field, btext, index))
        if values is None:
            matcher._goto(int(found.blocks.offsets[index]))
            matcher._read_values()
            values = opened[number, field, btext, index] = matcher._values
        return list(segment.schema[field].format.decoder(kind)(values[place - int(found.blocks.first[index])]))

    def _decode(self, field: str, btext: bytes) -> Postings:
        docs, weights, firsts, offsets = [], [], [], []
        count = 0
        for segment, offset in self._segments:
            if field not in segment.schema or (field, btext) not in segment:
                continue
            ids, frequencies, blocks = _blocks(_leaf(segment.postings(field, btext)))
            docs.append(ids + offset)
            weights.append(frequencies)
            if blocks is not None and firsts is not None:
                firsts.extend(first + count for first, _ in blocks)
                offsets.extend(position for _, position in blocks)
            else:
                firsts = None
            count += len(ids)
        if not docs:
            return _EMPTY
        found = Postings(np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32),
                         Blocks(np.array(firsts, np.int64), np.array(offsets, np.int64)) if firsts else None)
        keep = self.live[found.docs]
        return found if keep.all() else Postings(found.docs[keep], found.weights[keep], None)


def frequent_terms(reader, fields: Iterable[str]) -> list[tuple[str, bytes]]:
    """The (field, term)s of `fields`, by how many records hold them, most first. Read segment by
    segment: a reader of several segments merges their lexicons term by term, ten times slower."""
    frequency: Counter[tuple[str, bytes]] = Counter()
    for segment, _ in reader.leaf_readers():
        for field in fields:
            if field in segment.schema:
                for btext, info in segment.iter_field(field):
                    frequency[field, btext] += info.doc_frequency()
    return [key for key, _ in frequency.most_common()]


def _leaf(matcher):
    """A segment's term matcher without its filter of deleted records (`live` leaves them out instead)."""
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _blocks(matcher) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]] | None]:
    """A segment's postings of one term, read a block (up to 128 postings) at a time where the codec
    allows, with each block's first posting and file offset."""
    if not isinstance(matcher, W3LeafMatcher):
        pairs = list(_one_by_one(matcher))
        return np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.float32), None
    ids, weights, blocks = [], [], []
    position, count = matcher._baseoffset, 0
    while matcher.is_active():
        # The block's arrays as the matcher reads them for its own `id()` and `weight()`; its record
        # numbers, stored as differences, added up by numpy rather than by Whoosh's Python loop.
        matcher._read_data()
        matcher._read_weights()
        blocks.append((count, position))
        ids.append(np.cumsum(np.asarray(matcher._data[0], np.int64)))
        weights.append(np.asarray(matcher._weights, np.float32))
        count += len(ids[-1])
        position = matcher._nextoffset
        matcher._next_block()
    if not ids:
        return np.zeros(0, np.int64), np.zeros(0, np.float32), blocks
    return np.concatenate(ids), np.concatenate(weights), blocks


def _one_by_one(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight()
        matcher.next()


def _size(postings: Postings) -> int:
    blocks = postings.blocks
    arrays = [postings.docs, postings.weights, *((blocks.first, blocks.offsets) if blocks else ())]
    return sum(array.nbytes for array in arrays)
