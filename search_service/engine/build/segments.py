"""Writing a full build's segments: postings grouped in memory, one segment per process.

Whoosh's writer puts every posting into a sorting pool as a (field, term, docnum, weight, value)
tuple, sorts them all at commit and, for each posting, reads its document's field length back
from the lengths column on disk. A full build adds documents in order into an empty segment, so
the postings can be grouped by field and term as they come (each term's documents already in
order), and each field's lengths read once per document: the same segment files, written for less.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import traceback
import zlib
from array import array
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, W3Segment
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search_service.text.morphology import load_dictionaries

# A child process reports its progress every this many documents.
_REPORT_EVERY = 25
# Children are forked, whatever the platform's default (spawn on macOS, forkserver from Python 3.14):
# a forked child starts with the loaded dictionaries and its share of records, where a spawned one would
# load them again and have the records and the `document` function (possibly a closure) pickled to it.
_PROCESSES = multiprocessing.get_context("fork")


class GroupedPostings:
    """The pool of a `GroupedSegmentWriter`: field -> term -> [(field, term, docnum, weight, value)], in memory.

    Takes the place of Whoosh's `PostingPool` (the same `add`), but is only ever read in order by
    `GroupedSegmentWriter`, never sorted or spilled to disk.
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, list[tuple]]] = defaultdict(lambda: defaultdict(list))

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        self.fields[item[0]][item[1]].append(item)

    def cleanup(self) -> None:
        self.fields.clear()


class GroupedSegmentWriter(SegmentWriter):
    """A Whoosh segment writer for documents added in order to a new index (no merging, no deletes).

    Writes the same terms, postings, field lengths and stored fields as `SegmentWriter`; use
    Whoosh's own writer for anything that changes an existing index.
    """

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, codec=_WritingCodec(), **kwargs)
        if self.segments:
            raise ValueError("GroupedSegmentWriter writes into an empty index only")
        self.pool = GroupedPostings()

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
            lengths = [lengths_reader.doc_field_length(docnum, fieldname) for docnum in range(self.docnum)]
            writer.start_field(fieldname, self.schema[fieldname])
            for text in sorted(terms):
                writer.start_term(text)
                _, _, docnums, weights, values = zip(*terms[text])
                writer._postwriter.add_postings(docnums, weights, values, lengths)  # made by _WritingCodec
                writer.finish_term()
            writer.finish_field()


class _PostingsWriter(W3PostingsWriter):
    """Whoosh 2.7.5's postings writer, filled a term at a time, its blocks pickled with a current protocol.

    Whoosh pickles each block (documents, weights, values) with protocol 2, which stores every
    value, a `bytes`, as a call to `codecs.encode` on a latin-1 string: slow to write and to read,
    and a third bigger. Readers unpickle whatever protocol a block has: the same postings, tested.
    """

    def add_postings(self, docnums: tuple, weights: tuple, values: tuple, lengths: list) -> None:
        """One term's postings: the blocks of calling `add_posting` per posting, filled a block at a time."""
        limit = self._blocklimit
        for first in range(0, len(docnums), limit):
            if first:
                self._write_block()  # the last block stays for finish_postings, as with add_posting
            block = slice(first, first + limit)
            block_lengths = [length for length in map(lengths.__getitem__, docnums[block]) if length]
            self._ids = array("I", docnums[block])
            self._weights = array("f", weights[block])
            self._values = [value for value in values[block] if value]
            self._maxweight = max(0, *weights[block])
            self._minlength = min(block_lengths, default=None)
            self._maxlength = max(block_lengths, default=0)

    def _write_block(self, last: bool = False) -> None:
        """`W3PostingsWriter._write_block`, with the block's data pickled with protocol 4."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        if self._compression:
            data = zlib.compress(data, self._compression)
        ids = self._ids
        # The block's summary, read before its data to skip it: pickled as Whoosh does.
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, self._compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)  # negative: the term's last block
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class _WritingCodec(W3Codec):
    """Whoosh's W3 codec with `_PostingsWriter`; its segments name the plain W3 codec, so an index
    written with it reads (and takes updates) without anything of ours."""

    def postings_writer(self, dbfile, byteids: bool = False) -> _PostingsWriter:
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression,
                               inlinelimit=self._inlinelimit)

    def new_segment(self, storage, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(), indexname)


def write_segments(index_dir: Path, shares: Sequence[Sequence[tuple]], document: Callable[..., dict],
                   advance: Callable[[int], None], committing: Callable[[], None]) -> None:
    """Write each share into the new, empty index in `index_dir` as one segment, and commit them.

    `document(*item)` gives the fields of each item of a share. The first share is written in this
    process, each other one at the same time in a child process. `advance(n)` reports documents
    added; `committing()` that this process has added its share and writes its segment.
    """
    load_dictionaries()  # once, before the children start, so that a forked child has them too
    children = [_Child(index_dir, share, document) for share in shares[1:]]
    # compound=False: separate segment files (see building._write_changes for why).
    writer = GroupedSegmentWriter(whoosh_index.open_dir(str(index_dir)), compound=False)
    try:
        with _no_cycle_collection():
            for item in shares[0]:
                writer.add_document(**document(*item))
                advance(1 + sum(child.progress() for child in children))
            committing()
            segments = [writer._finalize_segment()]
        segments += [child.segment() for child in children]
    except BaseException:
        for child in children:
            child.stop()
        writer.cancel()
        raise
    writer._commit_toc(segments)
    writer._finish()


class _Child:
    """A child process writing one share as a segment, and the pipe it reports on."""

    def __init__(self, index_dir: Path, share: Sequence[tuple], document: Callable[..., dict]) -> None:
        self._messages, sender = _PROCESSES.Pipe(duplex=False)
        self._process = _PROCESSES.Process(target=_write_share, args=(index_dir, share, document, sender),
                                           daemon=True)
        self._process.start()
        sender.close()
        self._result: tuple | None = None

    def progress(self) -> int:
        """Documents added since the last call (without waiting)."""
        added = 0
        while self._result is None and self._messages.poll():
            try:
                message = self._messages.recv()
            except EOFError:  # the child ended without a word (killed, out of memory)
                self._process.join()
                message = ("failed", f"it stopped with exit code {self._process.exitcode}")
            if message[0] == "added":
                added += message[1]
            else:
                self._result = message
        return added

    def segment(self):
        """The finished segment, once the child has written it; raises if the child failed."""
        while self._result is None:
            self._messages.poll(None)
            self.progress()
        self._process.join()
        kind, value = self._result
        if kind != "written":
            raise RuntimeError(f"a build process failed: {value}")
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _write_share(index_dir: Path, share: Sequence[tuple], document: Callable[..., dict], sender) -> None:
    """A child process's work: write `share` as a segment and send it back (or what went wrong)."""
    try:
        # The parent holds the write lock for the whole build; the segment goes into its commit.
        writer = GroupedSegmentWriter(whoosh_index.open_dir(str(index_dir)), _lk=False, compound=False)
        with _no_cycle_collection():
            for count, item in enumerate(share, 1):
                writer.add_document(**document(*item))
                if count % _REPORT_EVERY == 0:
                    sender.send(("added", _REPORT_EVERY))
            sender.send(("added", len(share) % _REPORT_EVERY))
            sender.send(("written", writer._finalize_segment()))
    except BaseException:
        sender.send(("failed", traceback.format_exc()))
    finally:
        sender.close()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a segment's postings pile up in memory.

    Each collection walks every object alive, and the postings are millions of them (measured on
    the full corpus: a quarter of the indexing time); they hold no cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
