"""Writing a segment's terms file and postings file a term at a time, laid out as Whoosh's W3 codec does.

Whoosh's field writer makes a term info object and a postings writer's state for every term, and asks
each file where it stands twice per term (a system call each): about half of writing a segment's
postings, once the blocks are made. `TermFiles` writes the same rows and blocks straight to the files
a `W3FieldWriter` opened, counting the bytes it writes to know where it stands.

A term's postings are its blocks, each behind its length, the last one's negative (`framed`); a
term's statistics are kept as its term info stores them (`TermStats`), so that a merge reads and
writes them without converting anything.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_ushort

_TERM_INFO = W3TermInfo._struct
_EXTENT = struct.Struct("!qi")  # after the statistics: where the term's postings start, and their length
_ROW_LENGTHS = struct.Struct("!ii")  # a terms row's key and value lengths, as `HashWriter.add` writes them
_BLOCK_LENGTH = struct.Struct("!i")
MAGIC_LENGTH = len(WHOOSH3_HEADER_MAGIC)  # the start of a term's postings


class TermStats(NamedTuple):
    """A term's statistics over its postings, as its term info stores them."""

    weight: float
    doc_frequency: int
    min_length: int  # the shortest non-zero field length among its records, as a byte (`length_to_byte`)
    max_length: int  # the longest, as a byte
    max_weight: float
    min_id: int
    max_id: int

    def plus(self, later: TermStats) -> TermStats:
        """The statistics of this term's postings followed by `later`'s (of records numbered after them)."""
        return TermStats(self.weight + later.weight, self.doc_frequency + later.doc_frequency,
                         min(self.min_length, later.min_length), max(self.max_length, later.max_length),
                         max(self.max_weight, later.max_weight), self.min_id, later.max_id)


def read_term_info(value: bytes) -> tuple[TermStats, int, int]:
    """A terms file row's value: the term's statistics, and where its postings start and their length."""
    flags, *stats = _TERM_INFO.unpack_from(value)
    if flags:  # `TermFiles` never inlines postings into the term info
        raise ValueError("a segment holds postings inlined in a term's info: it was not written by TermFiles")
    return TermStats(*stats), *_EXTENT.unpack_from(value, _TERM_INFO.size)


def framed(blocks: list[bytes]) -> bytes:
    """A term's postings made of its blocks (each a block's summary and data)."""
    parts = []
    for block in blocks:
        parts += (pack_int(len(block)), block)
    parts[-2] = pack_int(-len(blocks[-1]))  # a term's last block is marked by a negative length
    return b"".join(parts)


def not_last(postings: bytes) -> bytes:
    """A term's postings with its last block no longer marked last: more of the term's blocks follow."""
    position = 0
    while (length := _BLOCK_LENGTH.unpack_from(postings, position)[0]) > 0:
        position += _BLOCK_LENGTH.size + length
    return postings[:position] + pack_int(-length) + postings[position + _BLOCK_LENGTH.size:]


class TermFiles:
    """The terms and postings files of a segment's `W3FieldWriter`, written a term at a time in
    order (fields in the order started, each field's terms sorted); close the field writer after."""

    def __init__(self, fieldwriter: W3FieldWriter) -> None:
        self._fieldmap: dict[str, int] = fieldwriter._fieldmap
        self._index: OrderedHashWriter = fieldwriter._tindex
        self._terms_file = self._index.dbfile
        self._postfile = fieldwriter._postfile
        self._terms_at = self._terms_file.tell()
        self._posts_at = self._postfile.tell()
        self._prefix = b""

    def start_field(self, fieldname: str) -> None:
        self._prefix = pack_ushort(self._fieldmap.setdefault(fieldname, len(self._fieldmap)))

    def add_term(self, text: bytes, postings: bytes, stats: TermStats) -> None:
        """A term of the field started: its postings (`framed`) and their statistics."""
        self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._postfile.write(postings)
        length = MAGIC_LENGTH + len(postings)
        value = _TERM_INFO.pack(False, *stats) + pack_long(self._posts_at) + pack_int(length)
        self._posts_at += length
        key = self._prefix + text
        row = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        self._terms_file.write(row)
        self._index.index.append(self._terms_at)
        hashed = self._index.hashfn(key)
        self._index.buckets[hashed & 255].append((hashed, self._terms_at))
        self._terms_at += len(row)
