"""How a match is scored: BM25F with the idf that Lucene and Elasticsearch use.

A word searched in several fields is one `CombinedTerm`: its frequencies in the fields are weighted
and added before they saturate, with one idf (true BM25F). Everything else (phrases, prefixes, a
word in one named field) is scored field by field with `ProbabilisticBM25F`.
"""

from __future__ import annotations

from math import log
from weakref import WeakKeyDictionary

from whoosh import matching, scoring
from whoosh.query import qcore

from search_service.engine.schema import LANGUAGE_FIELDS

MAX_REMEMBERED_FREQUENCIES = 200_000  # a few MB per searcher
# Whoosh's BM25F defaults, kept: saturation (k1) and length normalisation (b) for every field.
K1 = 1.2
B = 0.75


def probabilistic_idf(records: int, found: int) -> float:
    """Lucene's idf, log(1 + (N - n + 0.5) / (n + 0.5)): a word in most records counts for little."""
    return log(1 + (records - found + 0.5) / (found + 0.5))


class ProbabilisticBM25F(scoring.BM25F):
    """BM25F whose idf is log(1 + (N - n + 0.5) / (n + 0.5)) instead of Whoosh's log(N / (n + 1)) + 1.

    Whoosh's `+ 1` floor gives a word found in half the records more than a third of the weight of
    a rare one, so in a long question the common words, summed, outscored the one rare word the
    answer shares; the probabilistic idf lets a common word count for little.

    Field lengths are read once per segment and field and kept in memory: Whoosh reads a record's
    length from the column file (a seek and a read) for every match it scores, a tenth of a query's time.
    """

    def __init__(self) -> None:
        super().__init__(B=B, K1=K1)
        self._lengths: WeakKeyDictionary = WeakKeyDictionary()  # reader -> field -> length of each record
        self._frequencies: dict[tuple[int, str, bytes], int] = {}
        self._averages: dict[str, float] = {}  # of the top-level searcher's fields

    def idf(self, searcher, fieldname, text) -> float:
        parent = searcher.get_parent()
        return probabilistic_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            scorer.dfl = self.field_lengths(searcher.reader(), fieldname).__getitem__
        return scorer

    def document_frequency(self, reader, fieldname: str, btext: bytes) -> int:
        """`reader.doc_frequency`, remembered: a generation never changes, and every query looks its
        terms up once per field, lemma and segment (two hash-file reads each)."""
        key = (id(reader), fieldname, btext)  # the searcher's readers live as long as this model
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= MAX_REMEMBERED_FREQUENCIES:
                self._frequencies.clear()
            found = self._frequencies[key] = reader.doc_frequency(fieldname, btext)
        return found

    def average_length(self, searcher, fieldname: str) -> float:
        """The field's mean length over the records that have it, as Lucene's BM25 takes it (remembered).

        Whoosh divides by every record, so in an archive of 1,244 Russian and 10,612 English records the
        mean Russian text came out 110 words instead of 1,046, and every Russian text looked ten times
        too long. Records with text in a language are counted by their `langs` entry.
        """
        if fieldname not in self._averages:
            having = (searcher.doc_frequency("langs", fieldname) if fieldname in LANGUAGE_FIELDS
                      else searcher.doc_count_all())
            self._averages[fieldname] = (searcher.field_length(fieldname) / having if having else 0.0) or 1.0
        return self._averages[fieldname]

    def field_lengths(self, reader, fieldname: str) -> list[int]:
        by_field = self._lengths.setdefault(reader, {})
        if fieldname not in by_field:
            # 1 for an empty field, as Whoosh's own scorer asks for.
            by_field[fieldname] = [reader.doc_field_length(docnum, fieldname, 1)
                                   for docnum in range(reader.doc_count_all())]
        return by_field[fieldname]


class CombinedTerm(qcore.Query):
    """One word searched in several weighted fields, scored as if they were one field (true BM25F).

    Whoosh scores each field apart, each with its own idf and its own saturation, and adds the
    scores. A common word (`like`) is rare in short titles, so its title idf is high, and weighted
    x3 it outscored eight occurrences of the rare word (`pub`) in the answer's text. Here, as in
    Robertson and Zaragoza's BM25F and Lucene's CombinedFieldQuery, the word has one idf (from its
    largest document frequency over the fields and its lemma alternatives, as Lucene's SynonymQuery
    takes it) and its frequencies, each weighted and length-normalised, are added before they saturate:

        tf = sum over fields f and texts t of w_f * tf_ft / (1 - b + b * len_f / avglen_f)
        score = idf * tf * (k1 + 1) / (k1 + tf)

    So a word counts at most idf * (k1 + 1), however many fields and lemma alternatives it matches
    in (an unknown name's four guessed lemmas no longer count it four times).
    """

    def __init__(self, texts: tuple[str, ...], fields: tuple[tuple[str, float], ...], boost: float = 1.0) -> None:
        self.texts = texts  # the word's index terms: its lemma alternatives
        self.fields = fields  # (field name, weight) pairs
        self.boost = boost

    def __eq__(self, other) -> bool:
        return (isinstance(other, CombinedTerm) and self.texts == other.texts and self.fields == other.fields
                and self.boost == other.boost)

    def __hash__(self) -> int:
        return hash((self.texts, self.fields, self.boost))

    def __repr__(self) -> str:
        boost = f", boost={self.boost}" if self.boost != 1.0 else ""
        return f"CombinedTerm({self.texts!r}, {self.fields!r}{boost})"

    def __str__(self) -> str:
        return f"({'|'.join(name for name, _ in self.fields)}):({'|'.join(self.texts)})"

    def with_texts(self, texts: tuple[str, ...]) -> "CombinedTerm":
        return CombinedTerm(texts, self.fields, self.boost)

    def field(self) -> None:
        return None  # several fields

    def share(self, text: str) -> float:
        """How much a match of `text`, one of the word's terms, counts towards the word's frequency."""
        return 1.0

    def collection_size(self, searcher) -> int:
        """The records the word's idf is taken over."""
        return searcher.doc_count_all()

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False):
        for name, _ in self.fields:
            for text in self.texts:
                yield name, text

    def estimate_size(self, ixreader) -> int:
        schema = ixreader.schema
        return sum(ixreader.doc_frequency(name, schema[name].to_bytes(text))
                   for name, text in self.terms() if name in schema)

    def matcher(self, searcher, context=None) -> matching.Matcher:
        schema, reader, parent = searcher.schema, searcher.reader(), searcher.get_parent()
        weights = dict(self.fields)
        # The searcher's model keeps field lengths in memory; another model (a bare Whoosh searcher) gets its own.
        lengths = searcher.weighting if isinstance(searcher.weighting, ProbabilisticBM25F) else ProbabilisticBM25F()
        postings, found = [], 0
        for name, text in self.terms():
            if name not in schema:
                continue
            btext = schema[name].to_bytes(text)
            if lengths.document_frequency(reader, name, btext):
                model = _FieldFrequencyModel(weights[name] * self.share(text), lengths)
                postings.append(searcher.postings(name, btext, weighting=model))
            found = max(found, lengths.document_frequency(parent, name, btext))
        if not postings:
            return matching.NullMatcher()
        union = postings[0]
        for more in postings[1:]:
            union = matching.UnionMatcher(union, more)
        return WordMatcher(union, probabilistic_idf(self.collection_size(parent), found), self.boost)


class _FieldFrequencyModel(scoring.WeightingModel):
    """Scores a posting in one field as BM25F's part before saturation: its weighted, length-normalised frequency."""

    def __init__(self, weight: float, lengths: ProbabilisticBM25F) -> None:
        self.weight, self.lengths = weight, lengths

    def scorer(self, searcher, fieldname, text, qf=1) -> "_FieldFrequency":
        return _FieldFrequency(self.weight, self.lengths.field_lengths(searcher.reader(), fieldname),
                               self.lengths.average_length(searcher.get_parent(), fieldname))


class _FieldFrequency(scoring.BaseScorer):
    def __init__(self, weight: float, lengths: list[int], average: float) -> None:
        self.weight, self.lengths, self.average = weight, lengths, average

    def score(self, matcher) -> float:
        return self.weight * matcher.weight() / (1 - B + B * self.lengths[matcher.id()] / self.average)


class WordMatcher(matching.WrappingMatcher):
    """The union of one word's field postings; its score (their summed frequencies) saturated once, times idf.

    No block-quality skipping: the upper bound of a sum saturated later is not worth working out here.
    """

    def __init__(self, child: matching.Matcher, idf: float, boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.idf = idf

    def _replacement(self, newchild: matching.Matcher) -> "WordMatcher":
        return WordMatcher(newchild, self.idf, self.boost)

    def copy(self) -> "WordMatcher":
        return WordMatcher(self.child.copy(), self.idf, self.boost)

    def replace(self, minquality: float = 0) -> matching.Matcher:
        # The child's scores are frequencies, not on the scale of `minquality`: never prune inside.
        if not self.is_active() or (minquality and self.max_quality() < minquality):
            return matching.NullMatcher()
        child = self.child.replace(0)
        return self if child is self.child else self._replacement(child)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self.boost * self.idf * (K1 + 1)  # the saturation's limit

    def block_quality(self) -> float:
        return self.max_quality()

    def score(self) -> float:
        tf = self.child.score()
        return self.boost * self.idf * tf * (K1 + 1) / (K1 + tf)
