"""The pages, the widget and the iframe in real headless Chromium against the real gunicorn server.

Chromium is Debian's package (installed here when missing), driven by Playwright's Python package;
no browser is downloaded. Host pages for the widget and the iframe are served from another origin
(another port). Every wait is bounded by the page's default timeout.

`SAVE_SCREENSHOTS=docs .venv/bin/python -m pytest tests/test_browser.py` refreshes the README's
screenshots.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from conftest import ROOT, SEED_ID, debian_package, free_port

pytestmark = pytest.mark.slow  # a live server and a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
SEED_TITLE = "Letter from Filipov [Stalin]"
XSS_TITLE = "<script>alert('title')</script> Payload record"


@pytest.fixture(scope="module")
def browser():
    debian_package("chromium", CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        yield browser
        browser.close()


def _open_page(browser, **context_options) -> Page:
    context = browser.new_context(locale="en-US", **context_options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.dialogs = []  # every alert/confirm/prompt a payload might fire

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture()
def page(browser):
    page = _open_page(browser, viewport={"width": 1100, "height": 800})
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def host_site(tmp_path_factory):
    """A static web server on another port: the 'other site' that embeds the search."""
    folder = tmp_path_factory.mktemp("host")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def screenshot(page: Page, name: str, **options) -> None:
    """Save a screenshot under $SAVE_SCREENSHOTS (e.g. docs) when asked; always take it (it must render)."""
    folder = os.environ.get("SAVE_SCREENSHOTS")
    image = page.screenshot(**options)
    assert image
    if folder:
        (ROOT / folder).mkdir(exist_ok=True)
        (ROOT / folder / name).write_bytes(image)


def test_search_page_finds_the_seed_letter_and_opens_it(page, live_server):
    page.goto(f"{live_server}/?ui=en")
    page.get_by_label("Search the archive").fill("withdrawal from the Security Council")
    page.keyboard.press("Enter")
    first = page.locator(".hit h2 a").first
    expect(first).to_contain_text(SEED_TITLE)
    page.get_by_label("Search the archive").fill("(Совете Безопасности Security Council) OR Бенешем")
    page.keyboard.press("Enter")
    expect(first).to_contain_text(SEED_TITLE)
    expect(page.locator(".summary")).to_contain_text("2 records")
    expect(page.locator(".hit").first.locator('[lang="ru"] mark', has_text="Совета").first).to_be_visible()
    expect(page.locator(".hit time").first).to_have_text("27 August 1950")
    screenshot(page, "search-page.png", full_page=True)
    first.click()
    expect(page.locator("h1")).to_contain_text(SEED_TITLE)
    # The link lands on the best passage; its translation stands beside it, both marked.
    row = page.locator("tr:has(p:target)")
    russian, english = row.locator('td[lang="ru"]'), row.locator('td[lang="en"]')
    expect(russian.locator("mark").first).to_be_in_viewport()
    expect(english.locator("mark").first).to_be_in_viewport()
    # Side by side: the two passages start at the same height, the Russian on the left.
    left, right = russian.bounding_box(), english.bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and left["x"] < right["x"]
    page.get_by_text("Cite", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX").click()
    assert download.value.suggested_filename == f"{SEED_ID}.bib"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith(f"@misc{{{SEED_ID},")
    screenshot(page, "record-page.png", clip={"x": 0, "y": 0, "width": 1100, "height": 900})
    assert page.dialogs == []


def test_search_within_a_record_steps_through_its_matches(page, live_server):
    page.goto(f"{live_server}/documents/{SEED_ID}?ui=en")
    page.get_by_label("Find in this record").fill("Готвальду Gottwald")
    page.get_by_role("button", name="Find", exact=True).click()
    count = page.locator(".match-count")
    total = int(count.get_attribute("data-matches"))
    assert total >= 2
    expect(count).to_have_text(f"{total} matches")
    page.get_by_role("link", name="Next match").click()
    expect(count).to_have_text(f"1 / {total}")
    expect(page.locator("mark.current")).to_have_attribute("id", "m-1")
    expect(page.locator("#m-1")).to_be_in_viewport()
    page.get_by_role("link", name="Next match").click()
    expect(count).to_have_text(f"2 / {total}")
    page.get_by_role("link", name="Previous match").click()
    page.get_by_role("link", name="Previous match").click()
    expect(count).to_have_text(f"{total} / {total}")  # round from the first to the last
    assert page.dialogs == []


def test_completions_by_keyboard(page, live_server):
    """The search box is an ARIA combobox: arrows pick a completion, Enter searches it, Escape closes."""
    page.goto(f"{live_server}/?ui=en")
    box = page.get_by_role("combobox", name="Search the archive")
    box.press_sequentially("Gottw", delay=30)
    completion = page.get_by_role("option", name="Gottwald")
    expect(completion).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".completions + [role=status]")).to_have_text("Completions: 1")
    page.keyboard.press("Escape")
    expect(completion).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("")
    box.press_sequentially("письмо Готв", delay=30)
    expect(page.get_by_role("option", name="письмо Готвальд")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "q-completions-0")
    page.keyboard.press("Enter")
    expect(page.locator(".hit h2 a").first).to_contain_text(SEED_TITLE)
    expect(box).to_have_value("письмо Готвальд")
    assert page.dialogs == []


@pytest.mark.parametrize("query, lang, passage, marked, beside", [
    ("гоминьдановское чучело", "ru", 4, "гоминьдановское", "Guomindang puppet"),
    ("Guomindang puppet", "en", 5, "Guomindang", "гоминьдановское чучело"),
])
def test_hit_pairs_the_matching_passage_with_its_translation_and_lands_on_it(page, live_server, query, lang,
                                                                              passage, marked, beside):
    other = "en" if lang == "ru" else "ru"
    page.goto(f"{live_server}/?{urlencode({'q': query, 'ui': 'en'})}")
    hit = page.locator(".hit").first
    expect(hit.locator("h2 a")).to_contain_text(SEED_TITLE)
    expect(hit.locator(f'.snippet[lang="{lang}"] mark').first).to_have_text(marked)
    expect(hit.locator(f'.snippet[lang="{other}"]')).to_contain_text(beside)
    expect(hit.locator(f'.snippet[lang="{other}"] mark')).to_have_count(0)
    hit.locator("h2 a").click()
    expect(page).to_have_url(re.compile(f"#p-{lang}-{passage}$"))
    target = page.locator("p:target")
    expect(target).to_have_id(f"p-{lang}-{passage}")
    expect(target.locator("mark").first).to_have_text(marked)
    expect(target).to_be_in_viewport()
    translation = page.locator(f'tr:has(p:target) td[lang="{other}"]')
    expect(translation).to_contain_text(beside)
    expect(translation).to_be_in_viewport()
    assert page.dialogs == []


def test_filters_timeline_and_pagination(page, live_server):
    page.goto(f"{live_server}/?q=council&per_page=1&ui=en")
    expect(page.locator(".summary")).to_contain_text("2 records")
    expect(page.locator(".hit")).to_have_count(1)
    first_page_title = page.locator(".hit h2 a").inner_text()
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert page.locator(".hit h2 a").inner_text() != first_page_title
    # The timeline: a click on 1999 keeps that year's record only; the other year stays visible.
    page.locator('a[aria-label="1999: 1 record"]').click()
    expect(page.locator(".hit h2 a")).to_have_text(XSS_TITLE)
    expect(page.locator(".summary")).to_contain_text("1 record")
    expect(page.locator('.timeline a.other[aria-label="1950: 1 record"]')).to_have_count(1)
    page.get_by_role("link", name="All years").first.click()
    expect(page.locator(".summary")).to_contain_text("2 records")
    # The form's filters: a year range, then the language of the text.
    page.get_by_label("Years from").fill("1940")
    page.get_by_label("Years to", exact=True).fill("1960")
    page.get_by_label("Search the archive").press("Enter")
    expect(page).to_have_url(re.compile(r"year_from=1940&year_to=1960"))
    expect(page.locator(".hit h2 a")).to_contain_text(SEED_TITLE)
    expect(page.locator(".summary")).to_contain_text("1 record")
    page.get_by_label("Years from").fill("")
    page.get_by_label("Years to", exact=True).fill("")
    page.get_by_label("Search the archive").fill("Бенешем OR Gottwald")
    page.get_by_label("Language of the text").select_option("en")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"lang=en"))
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit h2 a")).to_contain_text(SEED_TITLE)
    page.get_by_label("Search the archive").fill("zzzyxw")
    page.keyboard.press("Enter")
    expect(page.locator(".empty")).to_contain_text("Nothing found for “zzzyxw”.")


def test_keyboard_order_and_language_switch(page, live_server):
    page.goto(f"{live_server}/?q=council&ui=en")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search the archive")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Language of the text")).to_be_focused()
    for _ in range(4):  # years from, years to, the order, then the first timeline bar
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "1950: 1 record"
    page.keyboard.press("Enter")
    expect(page.locator(".summary")).to_contain_text("1 record")
    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Найти")).to_be_visible()
    expect(page.locator(".hit time").first).to_have_text("27 августа 1950")


def test_phone_width(browser, live_server):
    page = _open_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        page.goto(f"{live_server}/?q=совета&ui=ru")
        expect(page.locator(".hit").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "search-phone.png")
        page.goto(f"{live_server}/documents/{SEED_ID}?q=совета&ui=ru")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        russian, english = page.locator('td[lang="ru"]').nth(2).bounding_box(), page.locator('td[lang="en"]').nth(2).bounding_box()
        assert english["y"] > russian["y"] and english["x"] == russian["x"]  # one column on a phone, translation below
    finally:
        page.context.close()


def test_payload_record_renders_as_text_on_the_pages(page, live_server):
    page.goto(f"{live_server}/?q=payload&ui=en")
    expect(page.locator(".hit h2 a")).to_have_text(XSS_TITLE)
    expect(page.locator(".hit .citation")).to_have_text("<img src=x onerror=alert(1)> archive")
    page.locator(".hit h2 a").click()
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    expect(page.locator('td[lang="en"]')).to_contain_text("<script>alert('text')</script>")
    expect(page.locator('td[lang="ru"]')).to_contain_text("<img src=x onerror=alert(2)>")
    assert page.locator("main img, main script").count() == 0
    assert page.dialogs == []


def readme_snippet(after: str, live_server: str) -> str:
    """The first ```html block after `after` in the README, pointed at the test server: the exact
    snippet a site owner copies."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(after):].split("```html\n", 1)[1].split("```", 1)[0]
    assert "http://127.0.0.1:8000" in block
    return block.replace("http://127.0.0.1:8000", live_server)


def _widget_host(folder: Path, live_server: str) -> str:
    """README's widget snippet in a page with its own CSS and a strict CSP that allows the service's
    script and API only."""
    (folder / "host.css").write_text("""
body { font: 15px/1.4 Helvetica, Arial, sans-serif; max-width: 46rem; margin: 2rem auto; color: #223; }
input, button { background: rgb(255, 0, 0); font-size: 30px; }  /* must not reach the widget */
h1 { color: #2a4d8f; }
""", encoding="utf-8")
    (folder / "widget.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A course page</title>
<meta http-equiv="Content-Security-Policy"
      content="default-src 'self'; script-src {live_server}; connect-src {live_server}; style-src 'self'">
<link rel="stylesheet" href="host.css"></head>
<body>
  <h1>History 204: the Korean War</h1>
  <p>Search the primary sources for this week's seminar:</p>
  {readme_snippet("**Widget**", live_server)}
  <p class="after">Seminar notes follow.</p>
</body></html>""", encoding="utf-8")
    return "widget.html"


def _widget_search(page: Page, live_server: str, host_site, query: str):
    """Open the widget's host page and search for `query` in the widget; returns the search box."""
    folder, host = host_site
    page.goto(f"{host}/{_widget_host(folder, live_server)}")
    box = page.get_by_placeholder("Search the letters")
    box.fill(query)
    box.press("Enter")
    return box


def test_widget_on_another_origin_finds_the_letter(page, live_server, host_site):
    box = _widget_search(page, live_server, host_site, "совета безопасности")
    title = page.locator("#archive-search a.title").first
    expect(title).to_contain_text(SEED_TITLE)
    expect(page.locator("#archive-search mark").first).to_have_text("Совете")  # passage 4 leads: most matches
    expect(page.locator("#archive-search time").first).to_have_text("27 August 1950")
    assert title.get_attribute("href") == f"{live_server}/documents/{SEED_ID}?q=%D1%81%D0%BE%D0%B2%D0%B5%D1%82%D0%B0+%D0%B1%D0%B5%D0%B7%D0%BE%D0%BF%D0%B0%D1%81%D0%BD%D0%BE%D1%81%D1%82%D0%B8#p-ru-4"
    # Neither side's CSS leaks: the host's red inputs stay outside the shadow root, and the widget's
    # own style applies (adopted, so the host's strict style-src does not block it).
    assert box.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    assert page.locator("h1").evaluate("e => getComputedStyle(e).color") == "rgb(42, 77, 143)"
    assert page.evaluate("document.querySelector('#archive-search').shadowRoot !== null")
    screenshot(page, "widget.png", clip={"x": 0, "y": 0, "width": 1100, "height": 610})
    assert page.dialogs == []


def test_widget_completes_the_word_being_typed(page, live_server, host_site):
    folder, host = host_site
    page.goto(f"{host}/{_widget_host(folder, live_server)}")
    box = page.get_by_placeholder("Search the letters")
    box.press_sequentially("Gottw", delay=30)
    completion = page.locator("#archive-search [role=option]", has_text="Gottwald")
    expect(completion).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#archive-search a.title").first).to_contain_text(SEED_TITLE)
    expect(box).to_have_value("Gottwald")
    assert page.dialogs == []


def test_widget_facets_narrow_the_list(page, live_server, host_site):
    folder, host = host_site
    (folder / "facets.html").write_text(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>F</title></head>
<body><div id="archive-search"></div>
<script src="{live_server}/widget.js" data-lang="en" data-target="#archive-search" data-facets="lang,collection"
        defer></script></body></html>""", encoding="utf-8")
    page.goto(f"{host}/facets.html")
    box = page.locator("#archive-search input[type=search]")
    box.fill("council OR совета OR Бенешем")
    box.press("Enter")
    status = page.locator("#archive-search .status")
    expect(status).to_contain_text("3 records")
    english = page.locator("#archive-search .facets label", has_text="English")
    expect(english).to_contain_text("(2)")
    english.locator("input").check()
    expect(status).to_contain_text("2 records")
    expect(english.locator("input")).to_be_checked()
    assert page.locator("#archive-search .facets legend").all_text_contents() == ["Language"]  # no collection here
    assert page.dialogs == []


def test_widget_pages_and_renders_the_payload_as_text(page, live_server, host_site):
    box = _widget_search(page, live_server, host_site, "council OR совета OR Бенешем")
    expect(page.locator("#archive-search .status")).to_contain_text("3 records")
    box.fill("payload")
    box.press("Enter")
    expect(page.locator("#archive-search .status")).to_contain_text("1 record")
    expect(page.locator("#archive-search a.title")).to_contain_text(XSS_TITLE)
    expect(page.locator("#archive-search ol li").first).to_contain_text("<img src=x onerror=alert(2)>")
    assert page.evaluate("document.querySelector('#archive-search').shadowRoot.querySelectorAll('script, img').length") == 0
    assert page.dialogs == []


def test_iframe_resizes_to_content_and_renders_the_payload_as_text(page, live_server, host_site):
    folder, host = host_site
    (folder / "iframe.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An archive blog</title></head>
<body>
  <h1>Our favourite letters</h1>
  {readme_snippet("**Iframe**", live_server)}
</body></html>""", encoding="utf-8")
    page.goto(f"{host}/iframe.html")
    frame = page.frame_locator("#archive-search")
    iframe = page.locator("#archive-search")
    expect(iframe).not_to_have_attribute("height", "200")  # the empty search form is shorter
    empty = int(iframe.get_attribute("height"))
    assert empty == frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    box = frame.get_by_label("Search the archive")
    box.fill("payload")
    box.press("Enter")
    expect(frame.locator(".hit h2 a")).to_have_text(XSS_TITLE)
    expect(frame.locator(".hit h2 a")).to_have_attribute("target", "_blank")
    page.wait_for_function(f"document.getElementById('archive-search').height > {empty + 100}")
    one_hit = int(iframe.get_attribute("height"))
    box.fill("council OR совета OR Бенешем")
    box.press("Enter")
    expect(frame.locator(".hit")).to_have_count(3)
    page.wait_for_function(f"document.getElementById('archive-search').height > {one_hit + 100}")
    assert frame.locator("main img, main script").count() == 0
    assert page.dialogs == []
