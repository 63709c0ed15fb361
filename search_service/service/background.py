"""`BackgroundWriter`: hand items to a thread of this process's own that writes them in batches.

For logs that must never hold up or fail a request: `put` never blocks, and an item it cannot hand
over (the writer has fallen far behind) or that the writer fails to write is dropped and counted.
"""

from __future__ import annotations

import os
import queue
import threading
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")
MAX_WAITING = 10_000  # items waiting for the writer before new ones are dropped
MAX_BATCH = 500  # items given to one `write` call


class BackgroundWriter(Generic[Item]):
    """Items given to `put` are passed, in batches, to `write` on a daemon thread; `dropped(n)` counts losses."""

    def __init__(self, name: str, write: Callable[[list[Item]], None], dropped: Callable[[int], None],
                 capacity: int = MAX_WAITING) -> None:
        self.name, self._write, self._dropped, self._capacity = name, write, dropped, capacity
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._waiting: queue.Queue[Item] | None = None

    def put(self, item: Item) -> None:
        """Hand `item` over without waiting; dropped (and counted) when too many are waiting."""
        try:
            self._items().put_nowait(item)
        except queue.Full:
            self._dropped(1)

    def _items(self) -> queue.Queue[Item]:
        """This process's queue, its writer started on first use: threads do not survive gunicorn's fork."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._waiting = queue.Queue(self._capacity)
                    threading.Thread(target=self._run, args=(self._waiting,), name=self.name, daemon=True).start()
                    self._pid = os.getpid()
        return self._waiting

    def _run(self, items: queue.Queue[Item]) -> None:
        while True:
            batch = [items.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(items.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception:  # the writer thread outlives any failure; what it could not write is counted
                self._dropped(len(batch))
