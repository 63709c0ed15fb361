"""Merging a full build's segments into one, a term at a time, so that a bounded build is searched as fast.

The segments come from `GroupedSegmentWriter`s given their `base`: their postings are numbered as
in the merged segment already, so each term's posting blocks are copied from every segment byte for
byte, never decoded, and its statistics added up as the terms files store them; the per-document data
(field lengths, columns) are copied as Whoosh's own `write_per_doc` does, stored fields as they are
stored. What is held at once is one term's postings, never a segment: the merge keeps to the build's
memory budget whatever the number of records.
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
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.columns import ColumnReader, TranslatingColumnReader, VarBytesColumn
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort

from search_service.engine.build.grouped import GroupedSegmentWriter
from search_service.engine.build.term_files import MAGIC_LENGTH, TermFiles, not_last, read_term_info


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
            _copy_per_doc(writer, reader)
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


def _copy_per_doc(writer: GroupedSegmentWriter, reader: SegmentReader) -> None:
    """A segment's per-record data appended to the merged segment's: field lengths and columns as
    Whoosh's `write_per_doc` copies them, and each record's stored fields as the segment stores them,
    compressed, where `write_per_doc` decompressed, unpickled, pickled and compressed them again."""
    schema, perdoc = writer.schema, writer.perdocwriter
    stored_from = reader._perdoc._cached_reader("_stored", STORED_COLUMN)._child
    stored_to = perdoc._colwriters["_stored"]._child
    lengths = [(name, field) for name, field in schema.items() if field.scorable]
    columns = [(name, field.column_type, _raw(reader.column_reader(name, field.column_type)))
               for name, field in schema.items() if field.column_type and reader.has_column(name)]
    for docnum in range(reader.doc_count_all()):
        perdoc.start_doc(writer.docnum)
        for name, field in lengths:
            perdoc.add_field(name, field, None, reader.doc_field_length(docnum, name))
        for name, column, values in columns:
            perdoc.add_column_value(name, column, values[docnum])
        if stored := VarBytesColumn.Reader.__getitem__(stored_from, docnum):
            VarBytesColumn.Writer.add(stored_to, writer.docnum, stored)
        perdoc.finish_doc()
        writer.docnum += 1


def _raw(values: ColumnReader) -> ColumnReader:
    """A column's values as stored, as `write_per_doc` copies them."""
    return values.raw_column() if isinstance(values, TranslatingColumnReader) else values


def _merge_field(files: TermFiles, fieldname: str, readers: list) -> None:
    """Write one field's terms, each with its postings from every segment, in term order."""
    terms = heapq.merge(*(_field_terms(reader, fieldname, number) for number, reader in enumerate(readers)))
    files.start_field(fieldname)
    for text, found in groupby(terms, key=itemgetter(0)):
        parts: list[bytes] = []
        stats = None
        for _, number, value in found:
            segment_stats, start, length = read_term_info(value)
            postfile = readers[number]._terms._postfile
            parts.append(postfile.get(start + MAGIC_LENGTH, length - MAGIC_LENGTH))
            stats = segment_stats if stats is None else stats.plus(segment_stats)
        files.add_term(text, b"".join([not_last(part) for part in parts[:-1]] + parts[-1:]), stats)


def _field_terms(reader: SegmentReader, fieldname: str, number: int) -> Iterator[tuple[bytes, int, bytes]]:
    """A segment's terms of the field in order, each with the segment's number and its row's value in the
    terms file, read straight through it (looking each term up by its hash cost more than the rest
    of the merge)."""
    field = reader._terms._fieldmap.get(fieldname)
    if field is None:
        return
    prefix = pack_ushort(field)
    for key, value in reader._terms._tindex.items_from(prefix):
        if not key.startswith(prefix):
            return
        yield key[len(prefix):], number, value
