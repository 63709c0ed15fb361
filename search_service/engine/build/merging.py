"""Merging a full build's segments into one, a term at a time, so that a bounded build is searched as fast.

The segments come from `GroupedSegmentWriter`s given their `base`: their postings are numbered as
in the merged segment already, so each term's posting blocks are copied from every segment byte for
byte, never decoded; the per-document data (stored fields, field lengths, columns) are copied by
Whoosh's own `write_per_doc`. What is held at once is one term's blocks, never a segment: the merge
keeps to the build's memory budget whatever the number of records.
"""

from __future__ import annotations

import heapq
from collections import Counter
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import SegmentReader
from whoosh.system import _INT_SIZE

from search_service.engine.build.grouped import GroupedSegmentWriter
from search_service.engine.build.term_files import TermFiles, TermStats


def merge_segments(index_dir: Path, segments: list) -> object:
    """One new segment of the index in `index_dir` holding `segments`' documents in their order;
    each segment written with its `base` (the documents of the segments before it)."""
    ix = whoosh_index.open_dir(str(index_dir))
    # The build holds the write lock; compound=False as for every segment it writes.
    writer = GroupedSegmentWriter(ix, _lk=False, compound=False)
    readers = [SegmentReader(ix.storage, writer.schema, segment) for segment in segments]
    for reader in readers:
        # Whoosh asks the file system whether a length column exists for every record and field
        # (a field none of a segment's records has, none does): the answer cannot change here.
        reader._perdoc.has_column = lru_cache(maxsize=None)(reader._perdoc.has_column)
    try:
        for reader in readers:
            writer.write_per_doc(set(writer.schema.names()), reader)
        writer.perdocwriter.close()
        # The copied lengths are the byte-rounded ones a segment keeps per document; the totals the
        # scoring divides by are the exact sums each segment kept.
        totals: Counter = Counter()
        for segment in segments:
            totals.update(segment._fieldlengths)
        writer.newsegment._fieldlengths = dict(totals)
        files = TermFiles(writer.fieldwriter)
        for fieldname in sorted({name for reader in readers for name in reader.indexed_field_names()}):
            _merge_field(files, fieldname, readers)
        writer.fieldwriter.close()
        writer._close_segment()
    finally:
        for reader in readers:
            reader.close()
    return writer.get_segment()


def _merge_field(files: TermFiles, fieldname: str, readers: list) -> None:
    """Write one field's terms, each with its postings from every segment, in term order."""
    terms = heapq.merge(*(_field_terms(reader, fieldname, number) for number, reader in enumerate(readers)))
    files.start_field(fieldname)
    for text, found in groupby(terms, key=itemgetter(0)):
        blocks: list[bytes] = []
        stats = None
        for _, number, info in found:
            blocks += _stored_blocks(readers[number], info)
            stats = TermStats.of(info) if stats is None else stats.plus(TermStats.of(info))
        files.add_term(text, blocks, stats)


def _field_terms(reader: SegmentReader, fieldname: str, number: int) -> Iterator[tuple[bytes, int, object]]:
    """A segment's terms of the field in order, each with the segment's number and the term's info,
    read straight through the terms file (looking each term up by its hash cost more than the rest
    of the merge)."""
    for (name, text), info in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield text, number, info


def _stored_blocks(reader: SegmentReader, info) -> Iterator[bytes]:
    """A term's blocks in a segment as stored, each block's summary and data, read along the term's
    extent of the postings file (a block is its length, negative for the last, then those bytes)."""
    if info.is_inlined():  # `GroupedSegmentWriter` never inlines postings into the term info
        raise ValueError("a segment to merge holds inlined postings: it was not written by GroupedSegmentWriter")
    postfile = reader._terms._postfile
    position = info.extent()[0] + len(WHOOSH3_HEADER_MAGIC)
    while True:
        length = postfile.get_int(position)
        yield postfile.get(position + _INT_SIZE, abs(length))
        if length < 0:
            return
        position += _INT_SIZE + abs(length)
