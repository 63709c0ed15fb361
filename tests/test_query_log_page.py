"""The query log's admin page in real headless Chromium against the real gunicorn server: the token typed
once, kept in the tab (never in a URL or a cookie), and the queries that found nothing listed."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from conftest import build_test_index, serve
from test_browser import _open_page, browser  # noqa: F401  (the fixture, reused: one Chromium per module)

pytestmark = pytest.mark.slow  # a live server and a real browser

TOKEN = "query-log-page-token-91d3"
PAYLOAD = "<img src=x onerror=alert(1)>"  # a reader's query is text on the page, never markup


def test_the_page_lists_a_query_that_found_nothing(browser, tmp_path_factory):  # noqa: F811
    index = build_test_index(tmp_path_factory, "query-log-page")
    with serve(index, env={"SEARCH_ADMIN_TOKEN": TOKEN}) as base:
        searched = ("QQQzzz  XX", "qqqzzz xx", "Gottwald", PAYLOAD)
        for query in searched:
            assert requests.get(f"{base}/api/search", params={"q": query}, timeout=30).status_code == 200
        deadline = time.monotonic() + 15  # bounds a test whose log never arrives
        while requests.get(f"{base}/api/admin/queries", headers={"Authorization": f"Bearer {TOKEN}"},
                           timeout=10).json()["searches"] < len(searched) and time.monotonic() < deadline:
            time.sleep(0.1)

        page = _open_page(browser, viewport={"width": 1100, "height": 800})
        page.goto(f"{base}/admin/queries?ui=en")
        page.get_by_label("Admin token").fill(TOKEN)
        page.get_by_role("button", name="Show").click()
        nothing = page.get_by_role("table", name="Queries that found nothing")
        first = nothing.locator("tbody tr").first
        expect(first.locator("td").nth(0)).to_have_text("qqqzzz xx")
        expect(first.locator("td").nth(1)).to_have_text("2")
        expect(page.locator("#queries-status")).to_contain_text("4 searches in the last 7 days")
        frequent = page.get_by_role("table", name="Most frequent queries")
        expect(frequent.locator("td", has_text="gottwald")).to_have_count(1)
        expect(frequent.locator("td", has_text=PAYLOAD)).to_have_count(1)
        assert page.locator("img").count() == 0 and page.dialogs == []
        assert TOKEN not in page.url and all(TOKEN not in cookie["value"] for cookie in page.context.cookies())

        # Kept for this tab: the page shows the queries again without the token typed, in Russian too.
        page.goto(f"{base}/admin/queries?ui=ru")
        nothing = page.get_by_role("table", name="Запросы без результатов")
        expect(nothing.locator("tbody tr").first.locator("td").first).to_have_text("qqqzzz xx")
        page.get_by_role("button", name="Забыть токен").click()
        page.reload()
        expect(page.locator("#queries-results")).to_be_hidden()

        page.goto(f"{base}/admin/queries?ui=en")
        page.get_by_label("Admin token").fill("wrong")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#queries-status")).to_contain_text("missing or wrong admin token")
        expect(page.locator("#queries-results")).to_be_hidden()
        page.context.close()
