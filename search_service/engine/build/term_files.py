"""Writing a segment's terms file and postings file a term at a time, laid out as Whoosh's W3 codec does.

Whoosh's field writer makes a term info object and a postings writer's state for every term, and asks
each file where it stands twice per term (a system call each): about half of writing a segment's
postings, once the blocks are made. `TermFiles` writes the same rows and blocks straight to the files
a `W3FieldWriter` opened, counting the bytes it writes to know where it stands.
"""

from __future__ import annotations

import struct
from hashlib import md5
from typing import NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

_TERM_INFO = W3TermInfo._struct
_ROW_LENGTHS = struct.Struct("!ii")  # a terms row's key and value lengths, as `HashWriter.add` writes them


class TermStats(NamedTuple):
    """A term's statistics over its postings, as its term info stores them."""

    weight: float
    doc_frequency: int
    min_length: int | None  # the shortest non-zero field length among its records (None: none has one)
    max_length: int
    max_weight: float
    min_id: int
    max_id: int

    @classmethod
    def of(cls, info: W3TermInfo) -> TermStats:
        """The statistics a segment's term info holds."""
        return cls(info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
                   info.min_id(), info.max_id())

    def plus(self, later: TermStats) -> TermStats:
        """The statistics of this term's postings followed by `later`'s (of records numbered after them)."""
        shortest = later.min_length if self.min_length is None else min(self.min_length, later.min_length)
        return TermStats(self.weight + later.weight, self.doc_frequency + later.doc_frequency, shortest,
                         max(self.max_length, later.max_length), max(self.max_weight, later.max_weight),
                         self.min_id, later.max_id)


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
        self._hash = _md5_hash if self._index.hashtype == 0 else self._index.hashfn

    def start_field(self, fieldname: str) -> None:
        self._prefix = pack_ushort(self._fieldmap.setdefault(fieldname, len(self._fieldmap)))

    def add_term(self, text: bytes, blocks: list[bytes], stats: TermStats) -> None:
        """A term of the field started: its posting blocks (each its summary and data) and their statistics."""
        parts = [WHOOSH3_HEADER_MAGIC]
        for block in blocks:
            parts += (pack_int(len(block)), block)
        parts[-2] = pack_int(-len(blocks[-1]))  # a term's last block is marked by a negative length
        postings = b"".join(parts)
        self._postfile.write(postings)
        value = _TERM_INFO.pack(False, stats.weight, stats.doc_frequency, length_to_byte(stats.min_length),
                                length_to_byte(stats.max_length), stats.max_weight, stats.min_id,
                                stats.max_id) + pack_long(self._posts_at) + pack_int(len(postings))
        self._posts_at += len(postings)
        key = self._prefix + text
        row = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        self._terms_file.write(row)
        self._index.index.append(self._terms_at)
        hashed = self._hash(key)
        self._index.buckets[hashed & 255].append((hashed, self._terms_at))
        self._terms_at += len(row)


def _md5_hash(key: bytes) -> int:
    """Whoosh's `filetables.md5_hash` (a terms file's hash type 0), without going through hex digits."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
