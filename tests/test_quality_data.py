"""The quality harness's data and metrics: query files parse, judged ids exist, metrics compute right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.quality.judgments import CATEGORIES, JudgmentError, Query, load_queries, parse_line
from bench.quality.lemmas import GoldRow, evaluate
from bench.quality.metrics import failure_reasons, recall, reciprocal_rank, score, zero_hit_share
from bench.quality.peers import fts5_porter, fts5_snowball, match_expressions, query_chunks, snowball_tokens

from conftest import DOCUMENTS, ROOT, SEED_ID, corpus

QUALITY = ROOT / "bench" / "quality"
QUERY_FILES = {
    "queries.tsv": ("stalin-works-ru.jsonl", "frus-en.jsonl"),
    "ntrex.tsv": ("ntrex-news-ru-en.jsonl",),
}


def _corpus_ids(names: tuple[str, ...]) -> set[str]:
    ids = {path.stem for path in DOCUMENTS.glob("*.txt")}
    for name in names:
        with open(corpus(name), encoding="utf-8") as handle:
            ids.update(json.loads(line)["id"] for line in handle if line.strip())
    return ids


# --- the query files ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(QUERY_FILES))
def test_query_file_parses(name: str) -> None:
    queries = load_queries(QUALITY / name)
    assert queries
    assert all(q.category in CATEGORIES for q in queries)


def test_archive_queries_cover_the_issue() -> None:
    queries = load_queries(QUALITY / "queries.tsv")
    by_lang = {lang: [q for q in queries if q.lang == lang] for lang in ("ru", "en")}
    assert len(queries) >= 80
    assert abs(len(by_lang["ru"]) - len(by_lang["en"])) <= len(queries) // 10
    for lang, subset in by_lang.items():
        assert {q.category for q in subset} == set(CATEGORIES), lang
    assert any(q.expects_nothing for q in queries)
    assert any(SEED_ID in q.relevant for q in queries)


def test_ntrex_questions_are_half_russian_half_english() -> None:
    queries = load_queries(QUALITY / "ntrex.tsv")
    assert len(queries) >= 30
    assert sum(q.lang == "ru" for q in queries) == sum(q.lang == "en" for q in queries)


@pytest.mark.parametrize("name", sorted(QUERY_FILES))
def test_every_judged_id_exists(name: str) -> None:
    known = _corpus_ids(QUERY_FILES[name])
    missing = sorted({(q.qid, record_id) for q in load_queries(QUALITY / name)
                      for record_id in q.judged_ids if record_id not in known})
    assert not missing


def test_parse_line_reads_every_column() -> None:
    query = parse_line("q1\tru\tphrase\t\"кадры решают все\"\ta b\t2\tc\twhy")
    assert query == Query("q1", "ru", "phrase", '"кадры решают все"', ("a", "b"), 2, ("c",), False, "why")
    nothing = parse_line("q2\tru\tnegative\tбыль\t\t\t*\t")
    assert nothing.expects_nothing and nothing.must_not == () and nothing.top == 10


@pytest.mark.parametrize("line, message", [
    ("q\tru\tphrase\tx\ta", "8 tab-separated columns"),
    ("q\tde\tphrase\tx\ta\t\t\t", "language"),
    ("q\tru\tother\tx\ta\t\t\t", "category"),
    ("q\tru\tphrase\t\t\ta\t\t", "empty query"),
    ("q\tru\tphrase\tx\ta\t11\t\t", "top"),
    ("q\tru\tphrase\tx\ta\t\ta\t", "both relevant and must_not"),
    ("q\tru\tphrase\tx\t\t\t\t", "no judgment"),
    ("q\tru\tphrase\tx\ta b/c\t\t\t", "bad record id"),
])
def test_parse_line_names_the_problem(line: str, message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        parse_line(line, "f.tsv", 7)


def test_duplicate_qids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("# header\nq\tru\tname\tx\ta\t\t\t\n\nq\ten\tname\ty\tb\t\t\t\n", encoding="utf-8")
    with pytest.raises(JudgmentError, match="q.tsv:4: qid 'q' already on line 2"):
        load_queries(path)


# --- the metrics on a toy example --------------------------------------------------------------

def test_reciprocal_rank_and_recall() -> None:
    hits = ["x", "a", "y", "b"]
    assert reciprocal_rank(hits, ["a", "b"]) == 0.5
    assert reciprocal_rank(hits, ["z"]) == 0.0
    assert reciprocal_rank(["x"] * 10 + ["a"], ["a"]) == 0.0  # beyond depth 10
    assert recall(hits, ["a", "b", "z", "w"]) == 0.5
    assert recall(hits, []) == 1.0
    assert zero_hit_share([[], ["a"], [], ["b"]]) == 0.5
    assert zero_hit_share([]) == 0.0


def test_score_on_a_toy_run() -> None:
    queries = [
        Query("q1", "ru", "name", "a", relevant=("a",), top=1),
        Query("q2", "ru", "name", "b", relevant=("b", "c")),
        Query("q3", "ru", "name", "d", relevant=("d",)),
        Query("q4", "ru", "negative", "e", must_not=("x",)),
        Query("q5", "ru", "negative", "f", expects_nothing=True),
    ]
    hits = {"q1": ["z", "a"], "q2": ["b", "q", "c"], "q3": [], "q4": ["y", "x"], "q5": []}
    scores = score(queries, hits)
    assert scores.ranked_queries == 3
    assert scores.mrr == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert scores.recall == pytest.approx((1 + 1 + 0) / 3)
    assert scores.zero_hit_share == pytest.approx(1 / 3)
    assert (scores.negatives, scores.negatives_passed) == (2, 1)
    assert {f.qid: f.reasons for f in scores.failures} == {
        "q1": ("a at rank 2, want top 1",),
        "q3": ("no hits",),
        "q4": ("must not find x (rank 2)",),
    }


def test_a_query_that_must_find_nothing_fails_on_any_hit() -> None:
    query = Query("q", "ru", "negative", "быль", expects_nothing=True)
    assert failure_reasons(query, []) == ()
    assert failure_reasons(query, ["a", "b"]) == ("should find nothing, found 2+ (first a)",)


def test_lemma_hit_means_shared_term() -> None:
    class Term:
        def __init__(self, text: str) -> None:
            self.text = text

    table = {"стали": ["стать", "сталь"], "сталь": ["сталь"], "г.": ["г"], "год": ["год"], "...": []}
    rows = [GoldRow("стали", "сталь", "NOUN", 3), GoldRow("г.", "год", "NOUN", 1), GoldRow("...", "...", "PUNCT", 5)]
    report = evaluate(rows, lambda text: [Term(t) for t in table[text]])
    assert (report.tokens, report.hit_tokens, report.best_tokens, report.skipped_rows) == (4, 3, 0, 1)
    assert report.accuracy == 0.75
    assert report.extra_terms_per_token == 1.0  # стать for 3 tokens, г (not год) for 1: 4 extra in 4 tokens
    assert [m.row.form for m in report.top_misses()] == ["г."]


# --- the peers' query handling -----------------------------------------------------------------

def test_peer_queries_are_quoted_words_and_phrases() -> None:
    assert query_chunks('"кадры решают все" Сталин, 1935!') == ["кадры решают все", "Сталин,", "1935!"]
    assert match_expressions([["кадры", "решают", "все"], ["Сталин"]]) == [
        '"кадры решают все" AND "Сталин"', '"кадры решают все" OR "Сталин"']
    assert match_expressions([["AND"]]) == ['"AND"']
    assert match_expressions([]) == []
    assert snowball_tokens("Trotsky’s Готвальду ёлка") == ["trotski", "готвальд", "елк"]


def test_peers_find_inflected_forms_only_when_they_stem() -> None:
    from search_service.records import Record

    records = [Record("r1", "", None, {"ru": "Передайте Готвальду на словах следующее."}),
               Record("r2", "", None, {"en": "Trotsky's request and the Security Council"})]
    porter, snowball = fts5_porter(records), fts5_snowball(records)
    assert porter.search("Готвальду") == ["r1"] and porter.search("Готвальдом") == []
    assert snowball.search("Готвальдом") == ["r1"]
    assert snowball.search("Trotsky") == ["r2"]
    assert porter.search('"security council" request') == ["r2"]
    assert set(porter.search("Готвальду council")) == {"r1", "r2"}  # no record has both: any word
    assert porter.search('" AND OR NEAR(') == ["r2"]  # user text is words, never FTS5 syntax ("and" is in r2)
