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
from typing import Iterable, NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, W3Segment
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter
from zlib_ng import zlib_ng

# A block pickled to fewer bytes than this is stored as it is: zlib gains nothing on a term's one or
# two postings (44 bytes became 45) and each call costs about 18 microseconds, most of it setting up
# the compressor; seven terms in ten have fewer than five postings.
MIN_COMPRESSED_BYTES = 128
# Blocks are compressed by zlib-ng at its level 1, into the zlib format Whoosh reads: 4x faster than
# zlib's level 3 on a build's blocks (0.44 -> 0.11 s for a sixth of the archive corpus) for
# compressed blocks a fifth bigger.
COMPRESSION_LEVEL = 1
# What a posting and a term cost in memory beyond their values' bytes (measured on the archive
# corpus: three array slots, grown by an eighth; a term's key, tuple, arrays and dict slot).
_POSTING_BYTES = 14
_TERM_BYTES = 560


class GroupedPostings:
    """The pool of a `GroupedSegmentWriter`: field -> term -> `TermPostings`, in memory.

    Takes the place of Whoosh's `PostingPool` (the same `add`), but is only ever read in order by
    `GroupedSegmentWriter`, never sorted or spilled to disk; `size` is about the bytes it holds.
    A term's values sit end to end in one buffer: a `bytes` object apiece cost three times the memory.
    Record numbers are kept `base` past the writer's own (see `GroupedSegmentWriter`).
    """

    def __init__(self, base: int = 0) -> None:
        self.fields: dict[str, dict[bytes, TermPostings]] = {}
        self.size = 0
        self.base = base

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, text, docnum, weight, value = item
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        postings = terms.get(text)
        if postings is None:
            postings = terms[text] = TermPostings(array("I"), array("f"), bytearray(), array("I"))
            self.size += _TERM_BYTES + len(text)
        postings.docnums.append(docnum + self.base)
        postings.weights.append(weight)
        if value:
            postings.values.extend(value)
            self.size += len(value)
        postings.ends.append(len(postings.values))
        self.size += _POSTING_BYTES

    def cleanup(self) -> None:
        self.fields.clear()
        self.size = 0


class TermPostings(NamedTuple):
    """One term's postings in a segment: posting i's value is `values[ends[i - 1]:ends[i]]`."""

    docnums: array
    weights: array
    values: bytearray
    ends: array

    def value_list(self, start: int, stop: int) -> list[bytes]:
        """The non-empty values of postings `start` to `stop` (Whoosh's postings writer keeps no empty ones)."""
        ends, values = self.ends, self.values
        begin = ends[start - 1] if start else 0
        found = []
        for end in ends[start:stop]:
            if end > begin:
                found.append(bytes(values[begin:end]))
            begin = end
        return found


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
        super().__init__(ix, codec=_WritingCodec(), **kwargs)
        if self.segments:
            raise ValueError("GroupedSegmentWriter writes into an empty index only")
        self.pool = GroupedPostings(base)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths_reader = self.per_document_reader()
        try:
            self._write_postings(lengths_reader)
        finally:
            lengths_reader.close()
        self.fieldwriter.close()

    def _write_postings(self, lengths_reader) -> None:
        """Hand each field's terms to the codec in sorted order, as Whoosh's `add_postings` would."""
        writer = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            # The length Whoosh's add_postings looks up per posting: the stored (byte-rounded) one.
            lengths = [0] * self.pool.base + [lengths_reader.doc_field_length(docnum, fieldname)
                                              for docnum in range(self.docnum)]
            writer.start_field(fieldname, self.schema[fieldname])
            for text in sorted(terms):
                writer.start_term(text)
                writer._postwriter.add_postings(terms[text], lengths)  # made by _WritingCodec
                writer.finish_term()
            writer.finish_field()


class _PostingsWriter(W3PostingsWriter):
    """Whoosh 2.7.5's postings writer, filled a term at a time, its blocks pickled with a current protocol.

    Whoosh pickles each block (documents, weights, values) with protocol 2, which stores every
    value, a `bytes`, as a call to `codecs.encode` on a latin-1 string: slow to write and to read,
    and a third bigger. Readers unpickle whatever protocol a block has: the same postings, tested.
    """

    def add_postings(self, postings: TermPostings, lengths: list) -> None:
        """One term's postings: the blocks of calling `add_posting` per posting, filled a block at a time."""
        limit = self._blocklimit
        docnums, weights = postings.docnums, postings.weights
        for first in range(0, len(docnums), limit):
            if first:
                self._write_block()  # the last block stays for finish_postings, as with add_posting
            block = slice(first, first + limit)
            block_lengths = [length for length in map(lengths.__getitem__, docnums[block]) if length]
            self._ids = docnums[block]
            self._weights = weights[block]
            self._values = postings.value_list(first, first + limit)
            self._maxweight = max(0, *weights[block])
            self._minlength = min(block_lengths, default=None)
            self._maxlength = max(block_lengths, default=0)

    def add_blocks(self, blocks: Iterable[bytes], info) -> None:
        """One segment's blocks of the term as it stores them, each block's summary and data (a
        merge), written as they stand; `info`: the term's statistics in that segment."""
        pending = self._pending
        for block in blocks:
            if pending is not None:
                self._write_framed(pending, last=False)
            pending = block
        self._pending = pending
        terminfo = self._terminfo
        terminfo._weight += info.weight()
        terminfo._df += info.doc_frequency()
        shortest = info.min_length()
        terminfo._minlength = shortest if terminfo._minlength is None else min(terminfo._minlength, shortest)
        terminfo._maxlength = max(terminfo._maxlength, info.max_length())
        terminfo._maxweight = max(terminfo._maxweight, info.max_weight())
        if terminfo._minid is None:
            terminfo._minid = info.min_id()
        terminfo._maxid = info.max_id()

    def start_postings(self, format_, terminfo) -> None:
        super().start_postings(format_, terminfo)
        self._pending: bytes | None = None  # a merged block held back: the term's last is written marked

    def finish_postings(self):
        if self._pending is not None:
            self._write_framed(self._pending, last=True)
            self._pending = None
        return super().finish_postings()

    def _write_framed(self, *parts: bytes, last: bool) -> None:
        """A block (its summary and data) behind its length, negative for the term's last block."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        length = sum(len(part) for part in parts)
        self._postfile.write_int(-length if last else length)
        for part in parts:
            self._postfile.write(part)
        self._blockcount += 1

    def _write_block(self, last: bool = False) -> None:
        """`W3PostingsWriter._write_block`, with the block's data pickled with protocol 4."""
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        compression = COMPRESSION_LEVEL if len(data) >= MIN_COMPRESSED_BYTES else 0
        if compression:
            data = zlib_ng.compress(data, compression)
        ids = self._ids
        # The block's summary, read before its data to skip it: pickled as Whoosh does.
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        self._write_framed(info, data, last=last)
        self._new_block()


class _WritingCodec(W3Codec):
    """Whoosh's W3 codec with `_PostingsWriter`; its segments name the plain W3 codec, so an index
    written with it reads (and takes updates) without anything of ours."""

    def postings_writer(self, dbfile, byteids: bool = False) -> _PostingsWriter:
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression,
                               inlinelimit=self._inlinelimit)

    def new_segment(self, storage, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(), indexname)
