"""Merging a full build's segments into one, a term at a time, so that a bounded build is searched as fast.

Each term's postings are read from every segment a block at a time, renumbered and written again
through `grouped`'s postings writer; the per-document data (stored fields, field lengths, columns)
are copied by Whoosh's own `write_per_doc`. What is held at once is one term's postings, never a
segment's: the merge keeps to the build's memory budget whatever the number of records.
"""

from __future__ import annotations

import heapq
from collections import Counter
from array import array
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader

from search_service.engine.build.grouped import GroupedSegmentWriter, TermPostings


def merge_segments(index_dir: Path, segments: list) -> object:
    """One new segment of the index in `index_dir` holding `segments`' documents in their order."""
    ix = whoosh_index.open_dir(str(index_dir))
    # The build holds the write lock; compound=False as for every segment it writes.
    writer = GroupedSegmentWriter(ix, _lk=False, compound=False)
    readers = [SegmentReader(ix.storage, writer.schema, segment) for segment in segments]
    try:
        offsets = []
        for reader in readers:
            offsets.append(writer.docnum)
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
                _merge_field(writer, fieldname, readers, offsets, lengths_reader)
        finally:
            lengths_reader.close()
        writer.fieldwriter.close()
        writer._close_segment()
    finally:
        for reader in readers:
            reader.close()
    return writer.get_segment()


def _merge_field(writer: GroupedSegmentWriter, fieldname: str, readers: list, offsets: list[int],
                 lengths_reader) -> None:
    """Write one field's terms, each with its postings from every segment, in term order."""
    lengths = [lengths_reader.doc_field_length(docnum, fieldname) for docnum in range(writer.docnum)]
    terms = heapq.merge(*([(text, number) for text in reader.lexicon(fieldname)]
                          for number, reader in enumerate(readers)))
    fieldwriter = writer.fieldwriter
    fieldwriter.start_field(fieldname, writer.schema[fieldname])
    for text, found in groupby(terms, key=itemgetter(0)):
        postings = TermPostings(array("I"), array("f"), bytearray(), array("I"))
        for _, number in found:
            for ids, weights, values in _blocks(readers[number], fieldname, text):
                postings.docnums.extend(docnum + offsets[number] for docnum in ids)
                postings.weights.extend(weights)
                for value in values:
                    if value:
                        postings.values.extend(value)
                    postings.ends.append(len(postings.values))
        fieldwriter.start_term(text)
        fieldwriter._postwriter.add_postings(postings, lengths)  # grouped's postings writer
        fieldwriter.finish_term()
    fieldwriter.finish_field()


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
