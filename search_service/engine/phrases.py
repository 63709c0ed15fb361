"""Phrases checked in one pass over each record's word positions: bounded work, whatever a record holds.

Whoosh's `Sequence` compares every position of one word with every position of the next (its
SpanNear), before a collector's clock is ever read: a two-word phrase whose words stand 20,000
times each in one long record took 20 s. Here each candidate record's positions are read once per
word, at most `proximity.MAX_POSITIONS` of each term, and checked in order with a binary search each
(`proximity.in_order`); the request's deadline is read between records.
"""

from __future__ import annotations

from whoosh import collectors, query
from whoosh.matching import IntersectionMatcher, Matcher, NullMatcher, WrappingMatcher
from whoosh.util import make_binary_tree

from search_service.deadline import Deadline
from search_service.engine import proximity


class Phrase(query.Sequence):
    """Words in order in one field, each at most `slop` positions after the one before.

    A `query.Sequence` for the parser and for `proximity.phrases`; only its matcher differs.
    `deadline` is set on the parsed query (`querying.parse`).
    """

    deadline: Deadline | None = None

    def normalize(self) -> query.Query:
        phrase = super().normalize()
        phrase.deadline = self.deadline
        return phrase

    def _matcher(self, subs, searcher, context) -> Matcher:
        context = context.set(needs_current=True)  # the term matchers' positions are read on each record
        steps = [sub.matcher(searcher, context) for sub in subs]
        if not all(step.is_active() for step in steps):
            return NullMatcher()
        matcher = PhraseMatcher(make_binary_tree(IntersectionMatcher, steps), steps, self.slop, self.deadline)
        return matcher if self.boost == 1.0 else WrappingMatcher(matcher, boost=self.boost)


class PhraseMatcher(WrappingMatcher):
    """The records that hold every word (`child`, an intersection) where the words stand in order."""

    def __init__(self, child: Matcher, steps: list[Matcher], slop: int, deadline: Deadline | None) -> None:
        super().__init__(child)
        self._steps, self._slop, self._deadline = steps, slop, deadline
        self._settle()

    def _settle(self) -> None:
        """Move on until the child stands on a record with the words in order (or runs out)."""
        while self.child.is_active() and not self._in_order():
            if self._deadline is not None and self._deadline.passed():
                raise collectors.TimeLimit
            self.child.next()

    def _in_order(self) -> bool:
        docnum = self.child.id()
        return proximity.in_order([_positions(step, docnum) for step in self._steps], self._slop)

    def next(self) -> None:
        self.child.next()
        self._settle()

    def skip_to(self, docnum: int) -> None:
        self.child.skip_to(docnum)
        self._settle()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def copy(self) -> "PhraseMatcher":
        return PhraseMatcher(self.child.copy(), self._steps, self._slop, self._deadline)

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def supports_block_quality(self) -> bool:
        return False  # skipping blocks by quality would skip the order check


def _positions(step: Matcher, docnum: int) -> set[int]:
    """Positions in record `docnum` of a step's terms (a term, or a union of its alternatives)."""
    found: set[int] = set()
    stack = [step]
    while stack:
        node = stack.pop()
        if node.term() is not None:
            if node.is_active() and node.id() == docnum:
                found.update(node.value_as("positions")[:proximity.MAX_POSITIONS])
        else:
            stack.extend(node.children())
    return found
