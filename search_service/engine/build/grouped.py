"""A segment writer for a full build: postings grouped in memory by field and term as documents come.

Whoosh's writer puts every posting into a sorting pool as a (field, term, docnum, weight, value)
tuple, sorts them all at commit and, for each posting, reads its document's field length back
from the lengths column on disk. A full build adds documents in order into an empty segment, so
the postings can be grouped by field and term as they come (each term's documents already in
order), and each field's lengths read once per document: the same segment files, written for less.
"""

from __future__ import annotations

import pickle
from array import array
from itertools import chain
from operator import sub
from typing import Iterable, NamedTuple

from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter
from zlib_ng import zlib_ng

from search_service.engine.build.term_files import TermFiles, TermStats, framed
from search_service.engine.schema import BilingualText

# A block pickled to fewer bytes than this is stored as it is: zlib gains nothing on a term's one or
# two postings (44 bytes became 45) and each call costs about 18 microseconds, most of it setting up
# the compressor; seven terms in ten have fewer than five postings.
MIN_COMPRESSED_BYTES = 128
# Blocks and stored fields are compressed by zlib-ng at its level 1, into the zlib format Whoosh reads:
# 4x faster than zlib's level 3 on a build's blocks (0.44 -> 0.11 s for a sixth of the archive corpus)
# for compressed blocks a fifth bigger.
COMPRESSION_LEVEL = 1
# What a posting and a term cost in memory beyond their values' bytes (measured on the archive
# corpus: three array slots, grown by an eighth; a term's key, tuple, arrays and dict slot).
_POSTING_BYTES = 14
_TERM_BYTES = 560


class GroupedPostings:
    """The pool of a `GroupedSegmentWriter`: field -> term -> `TermPostings`, in memory.

    Takes the place of Whoosh's `PostingPool`, but takes a record's postings a field at a time, and is
    only ever read in order by `GroupedSegmentWriter`, never sorted or spilled to disk; `size` is about
    the bytes it holds.
    A term's values sit end to end in one buffer: a `bytes` object apiece cost three times the memory.
    Record numbers are kept `base` past the writer's own (see `GroupedSegmentWriter`).
    """

    def __init__(self, base: int = 0) -> None:
        self.fields: dict[str, dict[bytes | str, TermPostings]] = {}
        self.size = 0
        self.base = base

    def add_field(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes | str, int, float, bytes | None]]) -> int:
        """A record's postings in one field: (term, frequency, weight, value) items, a term as bytes or as
        text (written as UTF-8). Returns the field's length in the record (its terms' frequencies added up)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        docnum += self.base
        length = size = count = 0
        for count, (term, frequency, weight, value) in enumerate(items, 1):
            postings = terms.get(term)
            if postings is None:
                postings = terms[term] = TermPostings(array("I"), array("f"), bytearray(), array("I"))
                size += _TERM_BYTES + len(term)
            postings.docnums.append(docnum)
            postings.weights.append(weight)
            if value:
                postings.values.extend(value)
                size += len(value)
            postings.ends.append(len(postings.values))
            length += frequency
        self.size += size + _POSTING_BYTES * count
        return length

    def cleanup(self) -> None:
        self.fields.clear()
        self.size = 0


class TermPostings(NamedTuple):
    """One term's postings in a segment: posting i's value is `values[ends[i - 1]:ends[i]]`."""

    docnums: array
    weights: array
    values: bytearray
    ends: array

    def value_list(self) -> list[bytes]:
        """Each posting's value, empty for none."""
        values, ends = bytes(self.values), self.ends
        if len(ends) == 1:  # most terms of a segment
            return [values]
        return [values[begin:end] for begin, end in zip(chain((0,), ends), ends)]


class GroupedSegmentWriter(SegmentWriter):
    """A Whoosh segment writer for documents added in order to a new index (no merging, no deletes).

    Writes the same terms, postings, field lengths and stored fields as `SegmentWriter`; use
    Whoosh's own writer for anything that changes an existing index.
    """

    def __init__(self, ix, base: int = 0, **kwargs) -> None:
        """`base`: where the segment's records will start in the segment a merge makes of it and the
        segments before it. Its postings are numbered from there (its stored fields and lengths are
        not), so that the merge copies their blocks as they stand: such a segment is read by
        `merging.merge_segments` only."""
        super().__init__(ix, **kwargs)
        if self.segments:
            raise ValueError("GroupedSegmentWriter writes into an empty index only")
        self.pool = GroupedPostings(base)
        # Each record's stored fields (its JSON, with its texts) compressed as the posting blocks are;
        # Whoosh's column reader decompresses any zlib data.
        stored = self.perdocwriter._colwriters["_stored"]._child
        stored._compress, stored._level = zlib_ng.compress, COMPRESSION_LEVEL

    def add_document(self, **fields) -> None:
        """`SegmentWriter.add_document` for what a build writes: each field's postings handed to the pool
        at once, a text field's terms as text (encoded once per segment, not once per posting), and
        nothing a build never asks for (boosts, spelling words, term vectors)."""
        self._check_state()
        names = sorted(fields)
        self._check_fields(self.schema, names)
        perdoc = self.perdocwriter
        perdoc.start_doc(self.docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = 0
            if field.indexed:
                postings = field.postings(value) if isinstance(field, BilingualText) else field.index(value)
                length = self.pool.add_field(name, self.docnum, postings)
            perdoc.add_field(name, field, value if field.stored else None, length if field.scorable else 0)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths_reader = self.per_document_reader()
        try:
            self._write_postings(lengths_reader)
        finally:
            lengths_reader.close()
        self.fieldwriter.close()

    def _write_postings(self, lengths_reader) -> None:
        """Write each field's terms in sorted order, as Whoosh's `add_postings` would."""
        files = TermFiles(self.fieldwriter)
        limit = self.codec._blocklimit
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            # The length Whoosh's add_postings looks up per posting: the stored (byte-rounded) one.
            lengths = [0] * self.pool.base + [lengths_reader.doc_field_length(docnum, fieldname)
                                              for docnum in range(self.docnum)]
            fixed_size = self.schema[fieldname].format.fixed_value_size()
            files.start_field(fieldname)
            for text, postings in sorted((_utf8(term), postings) for term, postings in terms.items()):
                files.add_term(text, *_blocks(postings, lengths, fixed_size, limit))


def _blocks(postings: TermPostings, lengths: list[int], fixed_size: int | None, limit: int) -> tuple[bytes, TermStats]:
    """A term's postings in blocks of at most `limit`, as Whoosh 2.7.5's `W3PostingsWriter` makes them
    (`term_files.framed`), and their statistics. `lengths`: each record's field length; `fixed_size`:
    the format's value size.

    Each block's data is pickled with a current protocol, where Whoosh's uses protocol 2, which stores
    every value, a `bytes`, as a call to `codecs.encode` on a latin-1 string: slow to write and to read,
    and a third bigger. Readers unpickle whatever protocol a block has: the same postings, tested.
    """
    docnums, weights, values = postings.docnums, postings.weights, postings.value_list()
    blocks, shortest, longest = [], [], []
    for first in range(0, len(docnums), limit):
        ids, block_weights = docnums[first:first + limit], weights[first:first + limit]
        block_lengths = [length for length in map(lengths.__getitem__, ids) if length]
        shortest.append(length_to_byte(min(block_lengths, default=None)))
        longest.append(length_to_byte(max(block_lengths, default=0)))
        data = pickle.dumps((tuple(map(sub, ids, chain((0,), ids))), _mini_weights(block_weights),
                             _mini_values(values[first:first + limit], fixed_size)), 4)
        compression = COMPRESSION_LEVEL if len(data) >= MIN_COMPRESSED_BYTES else 0
        if compression:
            data = zlib_ng.compress(data, compression)
        # The block's summary, read before its data to skip it: pickled as Whoosh does.
        summary = pickle.dumps((len(ids), ids[-1], max(0, *block_weights), compression, shortest[-1], longest[-1]), 2)
        blocks.append(summary + data)
    known = [length for length in shortest if length]
    return framed(blocks), TermStats(sum(weights), len(docnums), min(known, default=0), max(longest), max(0, *weights),
                                     docnums[0], docnums[-1])


def _utf8(term: bytes | str) -> bytes:
    return term.encode("utf-8") if isinstance(term, str) else term


def _mini_weights(weights: array) -> tuple | float | None:
    """A block's weights as Whoosh stores them: None when all are 1, the one value when all are equal."""
    if weights.count(1.0) == len(weights):
        return None
    return weights[0] if weights.count(weights[0]) == len(weights) else tuple(weights)


def _mini_values(values: list[bytes], fixed_size: int | None) -> tuple | bytes | None:
    """A block's values as Whoosh stores them: the non-empty ones (Whoosh's postings writer keeps no
    empty ones), none for a format without, joined for one of a fixed size."""
    if fixed_size is None or fixed_size < 0:
        return tuple(value for value in values if value)
    return None if fixed_size == 0 else b"".join(values)
