"""The Whoosh schema and the adapter that runs our analysis inside Whoosh."""

from __future__ import annotations

import struct
from typing import Iterator

from whoosh.analysis import Analyzer, Token
from whoosh.system import pack_uint
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Characters

from search_service.text.analysis import analyze_query, index_terms, normalize
from search_service.text.scripts import LANGUAGES

# Fields searched by default, and how much a match in each counts (BM25F field weights).
# `facet_words`: the words of a record's short metadata values (its collection, its type), so that
# `письмо` also finds letters, but less than a word of the record's own text does.
FIELD_BOOSTS = {"title": 3.0, "summary": 2.0, "citation": 0.5, "ru": 1.0, "en": 1.0, "facet_words": 0.3}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
LANGUAGE_FIELDS = LANGUAGES  # one text field per language, named by its code


class BilingualAnalyzer(Analyzer):
    """Whoosh face of the analysis chains in `search_service.text.analysis`.

    Holds no state, so the schema Whoosh pickles into the index carries no MorphAnalyzer: the
    dictionaries load once per process, on first use.
    """

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        if not tokenize:
            # Prefix and wildcard text: fold it like a word but do not lemmatize a fragment.
            token.text = normalize(value)
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        # Plain query words leave hyphen parts out; phrases (mode "phrase") keep them to line up.
        for term in analyze_query(value, phrase=mode != "query"):
            token.text = term.text
            if keeporiginal:
                token.original = value[term.start:term.end]
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar, token.endchar = start_char + term.start, start_char + term.end
            yield token


class BilingualText(TEXT):
    """A text field that stores each term's positions and characters, indexed on a fast path.

    Characters let snippets be cut without analysing a hit's text again. The postings are exactly
    what Whoosh would make from `BilingualAnalyzer`, built from `index_terms` instead of a token
    object per term.
    """

    def __init__(self) -> None:
        # "or": alternatives for one word (several lemmas, hyphen parts) are alternatives, not all required.
        super().__init__(analyzer=BilingualAnalyzer(), phrase=True, chars=True, multitoken_query="or")

    def index(self, value: str, **kwargs):
        for term, count, weight, encoded in self.postings(value):
            yield term.encode("utf-8"), count, weight, encoded

    def postings(self, value: str) -> Iterator[tuple[str, int, float, bytes]]:
        """What `index` gives, each term as text rather than UTF-8: (term, frequency, weight, value)."""
        boost, encode = self.format.field_boost, self.format.encode
        for term, occurrences in index_terms(value).items():
            count = len(occurrences)
            yield term, count, count * boost, _one_occurrence(*occurrences[0]) if count == 1 else encode(occurrences)


# `Characters.encode` of one occurrence, the value of two postings in three, put together without a
# pickler (setting one up was most of its cost): the count, then a list of one (position, start,
# length) tuple pickled with protocol 2, each number as the pickler writes it.
_ONE_HEAD = pack_uint(1) + b"\x80\x02]q\x00"
_ONE_TAIL = b"\x87q\x01a."
_PICKLED_BYTES = [b"K" + bytes([number]) for number in range(256)]
_PICKLED_USHORT = struct.Struct("<H").pack
_PICKLED_INT = struct.Struct("<i").pack
_INT_LIMIT = 2**31


def _one_occurrence(position: int, start: int, end: int) -> bytes:
    if max(position, end) >= _INT_LIMIT:  # written otherwise; no text is that long
        return Characters().encode([(position, start, end)])
    return b"".join((_ONE_HEAD, _pickled(position), _pickled(start), _pickled(end - start), _ONE_TAIL))


def _pickled(number: int) -> bytes:
    """A number from 0 to 2**31 - 1 as pickle's protocol 2 writes it."""
    if number < 256:
        return _PICKLED_BYTES[number]
    return b"M" + _PICKLED_USHORT(number) if number < 65536 else b"J" + _PICKLED_INT(number)


class FacetTerms(KEYWORD):
    """A record's `key:value` facet terms, given one per line (values hold spaces and commas)."""

    def index(self, value: str, **kwargs):
        for term in sorted(set(value.split("\n"))):
            yield term.encode("utf-8"), 1, 1.0, pack_uint(1)  # Frequency's value: the term occurs once


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=BilingualText(),
        summary=BilingualText(),
        citation=BilingualText(),
        ru=BilingualText(),
        en=BilingualText(),
        langs=KEYWORD(commas=True),
        year=NUMERIC(int, stored=True, sortable=True),  # the year a record's date starts in
        year_end=NUMERIC(int, sortable=True),  # and ends in: a year filter matches a range that overlaps it
        facet_words=BilingualText(),
        facet_values=FacetTerms(),  # `collection:frus1918russiav03`, searched by facet_query
        facets=COLUMN(),  # facet values and date start for counting and date order (facets.column_value)
        content_hash=STORED,
        record=STORED,
        alignment=STORED,  # the record's passages and their Russian-English pairs (alignment.Alignment JSON)
    )
