"""How a match is scored: BM25F with the idf that Lucene and Elasticsearch use."""

from __future__ import annotations

from math import log

from whoosh import scoring


class ProbabilisticBM25F(scoring.BM25F):
    """BM25F whose idf is log(1 + (N - n + 0.5) / (n + 0.5)) instead of Whoosh's log(N / (n + 1)) + 1.

    Whoosh's `+ 1` floor gives a word found in half the records more than a third of the weight of
    a rare one, so in a long question the common words, summed, outscored the one rare word the
    answer shares; the probabilistic idf lets a common word count for little.
    """

    def idf(self, searcher, fieldname, text) -> float:
        parent = searcher.get_parent()
        found = parent.doc_frequency(fieldname, text)
        records = parent.doc_count_all()
        return log(1 + (records - found + 0.5) / (found + 0.5))
