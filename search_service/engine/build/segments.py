"""Writing a full build's segments (`grouped.GroupedSegmentWriter`), in one process or several.

A segment is written whenever its postings reach the memory budget, so a build holds about that
much whatever the number of records; the segments are searched together as Whoosh's own are.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import traceback
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files

from search_service.engine.build.grouped import GroupedSegmentWriter
from search_service.engine.build.merging import merge_segments
from search_service.text.morphology import load_dictionaries

# Records handed to a build process at a time: enough that passing them costs little beside
# indexing them, few enough that both processes stay busy to the end.
_BATCH = 32
# Children are forked, whatever the platform's default (spawn on macOS, forkserver from Python 3.14):
# a forked child starts with the loaded dictionaries, where a spawned one would load them again and
# have the `document` function (possibly a closure) pickled to it.
_PROCESSES = multiprocessing.get_context("fork")


def write_segments(index_dir: Path, items: Iterable[tuple], processes: int, budget: int,
                   document: Callable[..., dict], advance: Callable[[int], None],
                   committing: Callable[[], None]) -> None:
    """Write `items` into the new, empty index in `index_dir` as segments, and commit them.

    `document(*item)` gives the fields of each item, whose first member is its `Record`. With one
    process they are written here; with more, this process reads the items and hands them out in
    batches to that many children. Each process writes a segment whenever its postings reach its
    share of `budget` bytes, and merges its segments into one at the end. `advance(n)` reports
    documents added; `committing()` that the last segments are being written.
    """
    load_dictionaries()  # once, before any child starts, so that a forked child has them too
    ix = whoosh_index.open_dir(str(index_dir))
    lock = ix.lock("WRITELOCK")
    lock.acquire(blocking=True)
    try:
        if processes == 1:
            with _no_cycle_collection():
                writing = _SegmentsWriter(index_dir, budget, document)
                for item in items:
                    writing.add(item)
                    advance(1)
                committing()
                segments = writing.finish()
        else:
            segments = _written_by_children(index_dir, items, processes, budget // processes, document, advance,
                                            committing)
        info = ix._read_toc()
        TOC(info.schema, segments, info.generation + 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, info.generation + 1, segments)
        ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()  # the writers' (unused: they never spill)
    finally:
        lock.release()


def _written_by_children(index_dir: Path, items: Iterable[tuple], processes: int, budget: int,
                         document: Callable[..., dict], advance: Callable[[int], None],
                         committing: Callable[[], None]) -> list:
    """Hand `items` out in batches to `processes` children, each batch to the one with the least text so far
    (so the order of documents, and the segments, do not depend on timing); their segments, in their order."""
    children = [_Child(index_dir, budget, document) for _ in range(processes)]
    try:
        items = iter(items)
        sizes = [0] * processes
        while batch := list(islice(items, _BATCH)):
            least = sizes.index(min(sizes))
            children[least].send(batch)
            sizes[least] += sum(item[0].chars for item in batch)
            advance(sum(child.progress() for child in children))
        for child in children:
            child.send(None)
        committing()
        segments = []
        for child in children:
            segments += child.segments()
            advance(child.progress())
        return segments
    except BaseException:
        for child in children:
            child.stop()
        raise


class _SegmentsWriter:
    """Documents added in order, written as segments of about `budget` bytes of postings each."""

    def __init__(self, index_dir: Path, budget: int, document: Callable[..., dict]) -> None:
        self.index_dir, self.budget, self.document = index_dir, budget, document
        self.written: list = []
        self.writer = self._new_writer()

    def _new_writer(self) -> GroupedSegmentWriter:
        # The build holds the write lock for all its writers; compound=False: separate segment
        # files (see building._write_changes for why). Numbered past the segments written, for the merge.
        base = sum(segment.doc_count_all() for segment in self.written)
        return GroupedSegmentWriter(whoosh_index.open_dir(str(self.index_dir)), base=base, _lk=False, compound=False)

    def add(self, item: tuple) -> None:
        self.writer.add_document(**self.document(*item))
        if self.writer.pool.size >= self.budget:
            self.written.append(self.writer._finalize_segment())
            self.writer = self._new_writer()

    def finish(self) -> list:
        """The segment written (none for no documents): several, when the budget was reached, merged into one.

        Searching takes longer with every segment (18 of them: 65% more time per query at 1x)."""
        if self.writer.docnum:
            self.written.append(self.writer._finalize_segment())
        else:
            self.writer._close_segment()
        return [merge_segments(self.index_dir, self.written)] if len(self.written) > 1 else self.written


class _Child:
    """A child process writing the batches it is sent as segments, the queue of batches waiting for it
    (two at most: it need not wait for the next, nor do they pile up), and the pipe it reports on."""

    def __init__(self, index_dir: Path, budget: int, document: Callable[..., dict]) -> None:
        self._batches = _PROCESSES.Queue(2)
        self._messages, sender = _PROCESSES.Pipe(duplex=False)
        self._process = _PROCESSES.Process(target=_write_batches,
                                           args=(index_dir, budget, document, self._batches, sender), daemon=True)
        self._process.start()
        sender.close()
        self._result: tuple | None = None

    def send(self, batch: list | None) -> None:
        """Queue a batch for the child, or None: no more; raises if the child has failed."""
        while True:
            try:
                self._batches.put(batch, timeout=0.2)
                return
            except queue.Full:
                self.progress()
                if self._result is not None or not self._process.is_alive():
                    self.segments()  # raises: it failed, or ended without a word

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

    def segments(self) -> list:
        """The segments written, once the child has finished; raises if the child failed."""
        while self._result is None:
            self._messages.poll(None)
            self.progress()
        self._process.join()
        kind, value = self._result
        if kind != "written":
            raise RuntimeError(f"a build process failed: {value}")
        return value

    def stop(self) -> None:
        self._batches.cancel_join_thread()  # batches nobody will read must not hold this process at exit
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _write_batches(index_dir: Path, budget: int, document: Callable[..., dict], batches, sender) -> None:
    """A child process's work: write the batches it receives as segments and send them back (or what went wrong)."""
    # The cycle collector stays off to the end (see _no_cycle_collection): turned back on, its first
    # collection would walk every word the process analysed and cached (0.3 s), as it ends.
    gc.disable()
    try:
        writing = _SegmentsWriter(index_dir, budget, document)
        while (batch := batches.get()) is not None:
            for item in batch:
                writing.add(item)
            sender.send(("added", len(batch)))
        sender.send(("written", writing.finish()))
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
