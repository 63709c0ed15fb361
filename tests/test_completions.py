"""Completions for the search box: the query's last word completed as the records write it."""

from __future__ import annotations

import pytest


def completions(client, q: str, **params) -> list[dict]:
    answer = client.get("/api/suggest", query_string={"q": q, **params})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["query"] == q.strip()
    return body["suggestions"]


def test_a_name_is_completed_as_written_not_as_a_lemma_or_stem(client):
    assert {"text": "Готвальд", "count": 1} in completions(client, "Готв")
    assert [item["text"] for item in completions(client, "Gottw")] == ["Gottwald"]
    assert "Security" in [item["text"] for item in completions(client, "secu")]  # the stem is secur


def test_the_last_word_is_completed_and_the_rest_kept(client):
    found = completions(client, "письмо Готв")
    assert found and all(item["text"].startswith("письмо ") for item in found)


def test_most_frequent_first_and_at_most_eight(client):
    found = completions(client, "по")
    assert 1 <= len(found) <= 8
    assert [item["count"] for item in found] == sorted((item["count"] for item in found), reverse=True)


@pytest.mark.parametrize("q", ["", "г", "Готвальд ", "1950", "!!"])
def test_nothing_to_complete(client, q):
    assert completions(client, q) == []


def test_the_language_filter_and_bad_parameters(client):
    assert completions(client, "Готв", lang="en") == []
    assert completions(client, "Готв", lang="ru")
    assert client.get("/api/suggest", query_string={"q": "Готв", "lang": "de"}).status_code == 400
    assert client.get("/api/suggest", query_string={"q": "а" * 1001}).status_code == 400


def test_other_sites_may_ask(client):
    answer = client.get("/api/suggest", query_string={"q": "Готв"}, headers={"Origin": "https://example.org"})
    assert answer.headers["Access-Control-Allow-Origin"] in ("*", "https://example.org")
