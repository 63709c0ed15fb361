"""Queries scored on posting arrays give Whoosh's matches and scores, threads decoding at once
read the same postings as one thread alone, and an opened index has its most frequent terms decoded."""

from __future__ import annotations

import threading

import pytest
from whoosh import collectors, query

from conftest import DOCUMENTS, build_test_index
from search_service.engine import Engine, postings, querying, translation, vectorised
from search_service.engine.tiers import fields_for
from search_service.service.search import SearchOptions, search

QUERIES = ["совета безопасности", "withdrawal from the Security Council", "Gottwald", "the State Department",
           "письмо товарищу", "type:Письмо Ленин"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    engine = Engine.open(build_test_index(tmp_path_factory, "vectorised", DOCUMENTS / "sample.jsonl"))
    engine.prepare()
    return engine


def whoosh_scores(searcher, q: query.Query) -> dict[int, float]:
    collector = collectors.UnlimitedCollector()
    searcher.search_with_collector(q, collector)
    return {docnum: score for score, docnum in collector.results().top_n}


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("all_words", [True, False])
def test_array_scores_are_whooshs(engine, text, all_words):
    searcher = engine.index.searcher()
    q = querying.parse(searcher.schema, text, fields_for(None), all_words=all_words, facets=("type",))
    scored = vectorised.evaluate(q, searcher, engine.index.posting_arrays(searcher))
    assert scored is not None, f"{q!r} is left to Whoosh"
    expected = whoosh_scores(searcher, q)
    if text.startswith("type:") and all_words:
        # A facet value adds nothing here; Whoosh's constant-score matcher reads its 0 as "no
        # weight" and adds 1 to every match, which moves no record.
        expected = {docnum: score - 1.0 for docnum, score in expected.items()}
    found = {int(docnum): float(scored.scores[docnum]) for docnum in scored.matches.nonzero()[0]}
    assert found.keys() == expected.keys()
    assert found == pytest.approx(expected, rel=1e-9)


def test_phrases_prefixes_and_negations_are_left_to_whoosh(engine):
    searcher = engine.index.searcher()
    for text in ('"Совете Безопасности"', "безопасн*", "report NOT China"):
        q = querying.parse(searcher.schema, text, fields_for(None), all_words=True)
        assert vectorised.evaluate(q, searcher, engine.index.posting_arrays(searcher)) is None


def test_threads_decoding_at_once_read_what_one_thread_reads(engine, monkeypatch):
    monkeypatch.setattr(postings, "POSTINGS_BUDGET_BYTES", 0)  # every search decodes its postings again
    alone = {text: [hit.id for hit in search(engine, SearchOptions(text)).hits] for text in QUERIES}
    together: dict[str, list[list[str]]] = {text: [] for text in QUERIES}
    failures = []

    def searching() -> None:
        try:
            for _ in range(5):
                for text in QUERIES:
                    together[text].append([hit.id for hit in search(engine, SearchOptions(text)).hits])
        except Exception as error:  # reported below, with the thread's failure
            failures.append(error)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert all(pages == [alone[text]] * 20 for text, pages in together.items())


def test_translated_words_score_as_whoosh_scores_them(engine):
    searcher = engine.index.searcher()
    crossing = translation.crossing(engine.index)
    translated = 0
    for text in ["security council", "совет безопасности", "letter", "Gottwald"]:
        q = crossing.translated(querying.parse(searcher.schema, text, fields_for(None), all_words=False))
        translated += any(isinstance(leaf, translation.TranslatedTerm) for leaf in q.leaves())
        scored = vectorised.evaluate(q, searcher, engine.index.posting_arrays(searcher))
        expected = whoosh_scores(searcher, q)
        found = {int(docnum): float(scored.scores[docnum]) for docnum in scored.matches.nonzero()[0]}
        assert found == pytest.approx(expected, rel=1e-9)
    assert translated, "no query word had a translation: the test would not test them"


def test_preparing_decodes_the_most_frequent_terms_postings(index_dir, monkeypatch):
    engine = Engine.open(index_dir)  # its own posting arrays: the module's engine has searched already
    engine.prepare()
    searcher = engine.index.searcher()
    field, text = postings.frequent_terms(searcher.reader(), ["en", "ru"])[0]
    monkeypatch.setattr(postings.PostingArrays, "_decode", lambda *_: pytest.fail(f"{field}:{text!r} decoded again"))
    found = engine.index.posting_arrays(searcher).postings(field, text)
    assert len(found.docs) == searcher.doc_frequency(field, text) > 1
