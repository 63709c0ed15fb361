"""Scoring a query over every record at once, from the generation's posting arrays (`postings.py`).

For the queries people type (words, each a `scoring.CombinedTerm` or its translations, a
`translation.TranslatedTerm`, joined by And, Or and AndMaybe;
facet values, a language, an exclusion) this gives the same matches and, up to the order in which
floating-point sums are added, the same scores as Whoosh's matcher tree, in a few array operations
instead of a Python loop over the matching records. Other queries (phrases, prefixes, a word in one
named field) are left to Whoosh: `evaluate` answers None for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh import query

from search_service.engine.postings import PostingArrays
from search_service.engine.scoring import K1, CombinedTerm, probabilistic_idf
from search_service.engine.translation import TranslatedTerm


@dataclass
class Scored:
    """Which records match (a mask over record numbers), their scores, and each word's own scores."""

    matches: np.ndarray  # bool, by record number
    scores: np.ndarray  # float64, by record number (meaningful where `matches`)
    # (field, term) -> the scores of the word it belongs to (what the proximity boost adds), by record number
    words: dict[tuple[str, bytes], np.ndarray] = field(default_factory=dict)


class Unsupported(Exception):
    """A query node this module does not score; the search is left to Whoosh."""


def evaluate(q: query.Query, searcher, arrays: PostingArrays) -> Scored | None:
    """`q`'s matches and scores over every record; None when `q` holds a node only Whoosh scores."""
    try:
        return _Evaluator(searcher, arrays).scored(q)
    except Unsupported:
        return None


class _Evaluator:
    def __init__(self, searcher, arrays: PostingArrays) -> None:
        self.searcher, self.arrays = searcher, arrays
        self.words: dict[tuple[str, bytes], np.ndarray] = {}

    def scored(self, q: query.Query) -> Scored:
        matches, scores = self._node(q)
        return Scored(matches, scores, self.words)

    def _node(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, CombinedTerm):
            return self._word(q)
        if isinstance(q, type(query.NullQuery)):
            return self._none()
        if getattr(q, "boost", 1.0) != 1.0 and not isinstance(q, (query.And, query.Or)):
            raise Unsupported(f"{type(q).__name__} with a boost")
        if isinstance(q, query.ConstantScoreQuery):
            matches = self._docs(q.child)
            return matches, np.where(matches, q.score, 0.0)
        if isinstance(q, query.Require):
            matches, scores = self._node(q.a)
            return matches & self._docs(q.b), scores
        if isinstance(q, query.AndNot):
            matches, scores = self._node(q.a)
            return matches & ~self._docs(q.b), scores
        if isinstance(q, query.AndMaybe):
            matches, scores = self._node(q.a)
            maybe, more = self._node(q.b)
            return matches, scores + np.where(maybe, more, 0.0)
        if type(q) in (query.And, query.Or) and not getattr(q, "scale", None):
            return self._compound(q)
        raise Unsupported(type(q).__name__)

    def _compound(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        """And: records matching every child; Or: any. Either way the children's scores are summed."""
        parts = [self._node(child) for child in q.subqueries]
        if not parts:
            return self._none()
        matches, scores = parts[0][0].copy(), np.where(parts[0][0], parts[0][1], 0.0)
        for more, more_scores in parts[1:]:
            if type(q) is query.And:
                matches &= more
            else:
                matches |= more
            scores += np.where(more, more_scores, 0.0)
        return matches, scores * q.boost if q.boost != 1.0 else scores

    def _word(self, word: CombinedTerm) -> tuple[np.ndarray, np.ndarray]:
        """BM25F over the word's fields and lemma alternatives, as `scoring.WordMatcher` scores it."""
        schema, parent = self.searcher.schema, self.searcher
        model = self.searcher.weighting
        weights = dict(word.fields)
        tf = np.zeros(self.arrays.size, np.float64)
        matches = np.zeros(self.arrays.size, bool)
        frequency = 0
        keys = []
        for name, text in word.terms():
            if name not in schema:
                continue
            btext = schema[name].to_bytes(text)
            keys.append((name, btext))
            found = self.arrays.postings(name, btext)
            if len(found.docs):
                norms = self.arrays.norms(parent, name)
                weight = weights[name] * word.share(text)
                tf[found.docs] += weight * found.weights.astype(np.float64) / norms[found.docs]
                matches[found.docs] = True
            frequency = max(frequency, _document_frequency(model, parent, name, btext))
        if isinstance(word, TranslatedTerm) and word.source and matches.any():
            # Its translations count only in records without text in the word's own language: not
            # in their scores, nor in the proximity boost that adds up the scores of words close together.
            matches &= ~self._docs(query.Term("langs", word.source))
            tf[~matches] = 0.0
        idf = probabilistic_idf(word.collection_size(parent), frequency)
        scores = word.boost * idf * tf * (K1 + 1) / (K1 + tf)
        for key in keys:
            self.words.setdefault(key, scores)
        return matches, scores

    def _docs(self, q: query.Query) -> np.ndarray:
        """The records a filter matches (its score is not used)."""
        if isinstance(q, query.Term):
            matches = np.zeros(self.arrays.size, bool)
            if q.fieldname in self.searcher.schema:
                btext = self.searcher.schema[q.fieldname].to_bytes(q.text)
                matches[self.arrays.postings(q.fieldname, btext).docs] = True
            return matches
        return self._node(q)[0]

    def _none(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.arrays.size, bool), np.zeros(self.arrays.size, np.float64)


def _document_frequency(model, searcher, name: str, btext: bytes) -> int:
    """The term's document frequency over the whole generation, as `CombinedTerm.matcher` takes its idf."""
    if hasattr(model, "document_frequency"):
        return model.document_frequency(searcher, name, btext)
    return searcher.doc_frequency(name, btext)
