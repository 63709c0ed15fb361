"""Merging a full build's segments into one, a term at a time, so that a bounded build is searched as fast.

The segments come from `GroupedSegmentWriter`s given their `base`: their postings are numbered as
in the merged segment already, so each term's posting blocks are copied from every segment byte for
byte, never decoded; the per-document data (stored fields, field lengths, columns) are copied by
Whoosh's own `write_per_doc`. What is held at once is one block, never a segment: the merge keeps to
the build's memory budget whatever the number of records.
"""

from __future__ import annotations

import heapq
from collections import Counter
from functools import lru_cache
from array import array
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader

from search_service.engine.build.grouped import GroupedSegmentWriter, RawBlock, TermPostings


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
        lengths_reader = writer.per_document_reader()
        try:
            for fieldname in sorted({name for reader in readers for name in reader.indexed_field_names()}):
                _merge_field(writer, fieldname, readers, lengths_reader)
        finally:
            lengths_reader.close()
        writer.fieldwriter.close()
        writer._close_segment()
    finally:
        for reader in readers:
            reader.close()
    return writer.get_segment()


def _merge_field(writer: GroupedSegmentWriter, fieldname: str, readers: list, lengths_reader) -> None:
    """Write one field's terms, each with its postings from every segment, in term order."""
    terms = heapq.merge(*(_field_terms(reader, fieldname, number) for number, reader in enumerate(readers)))
    fieldwriter = writer.fieldwriter
    fieldwriter.start_field(fieldname, writer.schema[fieldname])
    form = writer.schema[fieldname].format
    lengths = None  # each record's length in the field, read only for postings the codec inlined
    for text, found in groupby(terms, key=itemgetter(0)):
        parts = [(readers[number], info) for _, number, info in found]
        fieldwriter.start_term(text)
        matchers = [reader._terms._codec.postings_reader(reader._terms._postfile, info, form, term=(fieldname, text))
                    for reader, info in parts]
        if all(isinstance(matcher, W3LeafMatcher) for matcher in matchers):
            for (_, info), matcher in zip(parts, matchers):
                fieldwriter._postwriter.add_blocks(_raw_blocks(matcher), info)  # grouped's writer
        else:
            if lengths is None:
                lengths = [lengths_reader.doc_field_length(docnum, fieldname) for docnum in range(writer.docnum)]
            fieldwriter._postwriter.add_postings(_gathered(parts, fieldname, text), lengths)
        fieldwriter.finish_term()
    fieldwriter.finish_field()


def _field_terms(reader: SegmentReader, fieldname: str, number: int) -> Iterator[tuple[bytes, int, object]]:
    """A segment's terms of the field in order, each with the segment's number and the term's info,
    read straight through the terms file (looking each term up by its hash cost more than the rest
    of the merge)."""
    for (name, text), info in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield text, number, info


def _gathered(parts: list[tuple[SegmentReader, object]], fieldname: str, text: bytes) -> TermPostings:
    """A term's postings from every segment, in memory (for postings the codec inlined)."""
    postings = TermPostings(array("I"), array("f"), bytearray(), array("I"))
    for reader, _ in parts:
        for ids, weights, values in _blocks(reader, fieldname, text):
            postings.docnums.extend(ids)
            postings.weights.extend(weights)
            for value in values:
                if value:
                    postings.values.extend(value)
                postings.ends.append(len(postings.values))
    return postings


def _raw_blocks(matcher: W3LeafMatcher) -> Iterator[RawBlock]:
    """A term's blocks in a segment as stored."""
    while matcher.is_active():
        data = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        yield RawBlock(matcher._blocklength, matcher._maxid, matcher._maxweight, matcher._compression,
                       matcher._minlength, matcher._maxlength, data)
        matcher._next_block()


def _blocks(reader: SegmentReader, fieldname: str, text: bytes) -> Iterator[tuple]:
    """A term's postings in a segment as (ids, weights, values) a block at a time (one for an inlined term)."""
    matcher = reader.postings(fieldname, text)
    if not isinstance(matcher, W3LeafMatcher):  # postings inlined into the term's info
        yield matcher._ids, matcher._weights, matcher._values or (None,) * len(matcher._ids)
        return
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        matcher._read_values()
        yield matcher._ids, matcher._weights, matcher._values
        matcher._next_block()
