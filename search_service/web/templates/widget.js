/* Archive search widget: one <script> tag puts a search box with results into any page.
 *
 *   <script src="https://ARCHIVE/widget.js" data-lang="en" data-per-page="5"
 *           data-placeholder="Search the archive" data-target="#archive-search"
 *           data-facets="collection,type" defer></script>
 *
 * data-translate="0" searches the words only as typed (by default each word is also searched, through
 * the archive's lexicon, in records that lack its language).
 *
 * It renders inside a Shadow DOM (no CSS leaks either way), calls the archive's public JSON API
 * (/api/search and /api/suggest for completions, CORS) at the origin this script was loaded from, and builds every node with DOM
 * calls: record text reaches the page only as text; the API's snippet HTML is split into text and
 * <mark> here rather than parsed. No dependencies. */
(() => {
  "use strict";
  const MESSAGES = {{ messages | tojson }};
  const script = document.currentScript;
  if (!script) return;  // loaded as a module or injected late: nothing to configure from
  const base = new URL("./", script.src);  // the archive: where this script came from
  const data = script.dataset;
  const browserUi = (navigator.language || "").toLowerCase().startsWith("ru") ? "ru" : "en";
  const ui = MESSAGES[data.lang] ? data.lang : browserUi;
  const text = MESSAGES[ui];
  const plurals = new Intl.PluralRules(ui);
  const perPage = Math.min(50, Math.max(1, parseInt(data.perPage, 10) || 5));
  // Facets shown beside the results (the archive's SEARCH_FACETS keys, or lang): check boxes that narrow the list.
  const facetNames = (data.facets || "").split(",").map((name) => name.trim()).filter(Boolean);

  function t(key, values = {}) {
    let message = text[key];
    if (Array.isArray(message)) {
      const form = plurals.select(values.count);
      const index = ui === "ru" ? { one: 0, few: 1 }[form] ?? 2 : form === "one" ? 0 : 1;
      message = message[index];
    }
    return message.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  /* "1950-08-27" as "27 August 1950" / "27 августа 1950"; partial dates as far as they go; ranges and
     approximate dates ("1950-1952", "ca. 1950") as the record gives them. */
  const PLAIN_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
  function formatDate(value) {
    if (!PLAIN_DATE.test(value)) return value;
    const [year, month, day] = value.split("-").map(Number);
    if (!month) return String(year);
    const options = day ? { day: "numeric", month: "long", year: "numeric" } : { month: "long", year: "numeric" };
    const locale = ui === "en" ? "en-GB" : ui;  // day month year, as the pages write it
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(Date.UTC(year, month - 1, day || 1));
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&#39;": "'" };
  /* The API's snippets are escaped text with <mark> around matches: keep exactly that and nothing else. */
  function snippetNodes(html) {
    // A translated query word comes as <mark class="translated">, the only attribute the API puts on a mark.
    return html.split(/(<mark(?: class="translated")?>.*?<\/mark>)/s).filter(Boolean).map((part) => {
      const opening = part.match(/^<mark(?: class="translated")?>/);
      const plain = (opening ? part.slice(opening[0].length, -7) : part)
        .replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITIES[e]);
      if (!opening) return document.createTextNode(plain);
      return el("mark", opening[0].length > 6 ? { class: "translated" } : {}, plain);
    });
  }

  const CSS = `
    :host { all: initial; display: block; font: 16px/1.5 Georgia, "Times New Roman", serif; color: #1d1d1f; }
    * { box-sizing: border-box; }
    form { display: flex; gap: .5rem; margin: 0 0 .8rem; position: relative; }
    .completions { position: absolute; top: 100%; left: 0; right: 0; z-index: 2; margin: .2rem 0 0; padding: .2rem 0; list-style: none; background: #fff; border: 1px solid #8a8a8a; border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.12); }
    .completions li { padding: .3rem .7rem; border: 0; cursor: pointer; }
    .completions li[aria-selected="true"], .completions li:hover { background: #f1e6e6; }
    .completions-status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    input { flex: 1; min-width: 0; font: inherit; padding: .5rem .7rem; border: 1px solid #8a8a8a; border-radius: 4px; background: #fff; color: inherit; }
    button { font: 600 .95rem system-ui, sans-serif; padding: .45rem .9rem; border-radius: 4px; border: 1px solid #7a1f1f; background: #7a1f1f; color: #fff; cursor: pointer; }
    button:disabled { opacity: .5; cursor: default; }
    :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
    .status { color: #55555b; font-size: .9rem; margin: 0 0 .5rem; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { padding: .6rem 0; border-top: 1px solid #e4ddd3; }
    a { color: #7a1f1f; }
    .title { font-weight: bold; }
    .date { color: #55555b; font-size: .88rem; }
    p { margin: .25rem 0; }
    mark.translated { text-decoration: underline dotted; }
    .lang { font: bold .68rem/1.4 system-ui, sans-serif; color: #fff; background: #55555b; padding: 0 .3rem; border-radius: 3px; margin-right: .3rem; vertical-align: .1rem; }
    mark { background: #ffe27a; color: inherit; padding: 0 .1em; border-radius: 2px; }
    nav { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-top: .6rem; font-size: .92rem; }
    nav .all { margin-left: auto; }
    .facets { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font: .9rem system-ui, sans-serif; margin: 0 0 .5rem; }
    .facets fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .1rem .8rem; align-items: baseline; }
    .facets legend { font-weight: 600; padding: 0; float: left; margin-right: .5rem; }
    .facets .count { color: #55555b; }
    .hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  let host = data.target ? document.querySelector(data.target) : null;
  if (!host) {
    host = document.createElement("div");
    script.after(host);
  }
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();  // adopted, not a <style> tag, so a strict host CSP allows it
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];

  const inputId = "q";
  const input = el("input", { id: inputId, type: "search", name: "q", autocomplete: "off",
                              placeholder: data.placeholder || t("placeholder") });
  const button = el("button", { type: "submit" }, t("search_button"));
  const form = el("form", { role: "search" },
                  el("label", { for: inputId, class: "hidden" }, t("search_label")), input, button);
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const list = el("ol");
  const pager = el("nav", { "aria-label": t("pages") });
  const facetPanel = el("div", { class: "facets", role: "group", "aria-label": t("facets") });
  const container = el("div", { lang: ui }, form, status, facetPanel, list, pager);
  root.replaceChildren(container);

  let current = { query: "", page: 1 };
  const chosen = new Map();  // facet name -> the values checked
{% include "_combobox.js" %}
  combobox(input, { url: new URL("api/suggest", base).href, lang: () => "", label: t("completions"),
                    status: t("completions_count", { count: "{count}" }), choose: (query) => run(query, 1) });

  async function run(query, page) {
    current = { query, page };
    button.disabled = true;
    status.textContent = t("searching");
    const url = new URL("api/search", base);
    url.search = new URLSearchParams({ q: query, page: String(page), per_page: String(perPage) });
    for (const [name, values] of chosen) values.forEach((value) => url.searchParams.append(name, value));
    if (data.translate === "0") url.searchParams.set("translate", "0");
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (current.query !== query || current.page !== page) return;  // a newer search has started
      if (body.error && body.error.code === "index_missing") {  // no index yet: say so in the visitor's language
        list.replaceChildren();
        pager.replaceChildren();
        facetPanel.replaceChildren();
        status.textContent = t("preparing");
        return;
      }
      if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
      render(body);
    } catch (error) {
      list.replaceChildren();
      pager.replaceChildren();
      facetPanel.replaceChildren();
      status.textContent = t("search_failed", { message: error.message });
    } finally {
      button.disabled = false;
    }
  }

  function render(body) {
    const summary = `${t("records", { count: body.total })} · ${t("took", { ms: body.took_ms })}`;
    status.replaceChildren(summary);
    if (body.relaxed) status.append(el("br"), t("relaxed"));
    for (const [code, query] of Object.entries(body.translations || {})) {
      status.append(el("br"), t("also_searched_" + code, { query }));
    }
    if (!body.total) status.replaceChildren(t("no_hits", { query: body.query }), el("br"), t("no_hits_hint"));
    list.replaceChildren(...body.hits.map((hit) => {
      const link = el("a", { href: new URL(hit.url, base).href, target: "_blank", rel: "noopener", class: "title" },
                      hit.title || hit.id, el("span", { class: "hidden" }, " " + t("opens_new_tab")));
      const item = el("li", {}, link);
      if (hit.date) item.append(el("p", { class: "date" }, el("time", PLAIN_DATE.test(hit.date) ? { datetime: hit.date } : {}, formatDate(hit.date))));
      if (hit.via) item.append(el("p", { class: "date" }, t("via_translation")));
      for (const [code, html] of Object.entries(hit.snippets)) {
        item.append(el("p", { lang: code }, el("span", { class: "lang", title: t("lang_" + code) }, code.toUpperCase()),
                       ...snippetNodes(html)));
      }
      return item;
    }));
    const pages = Math.ceil(body.total / body.per_page);
    const controls = [];
    if (body.page > 1) controls.push(pageButton("← " + t("previous"), body.page - 1));
    if (pages > 1) controls.push(el("span", {}, t("page_of", { page: body.page, pages })));
    if (body.page < pages) controls.push(pageButton(t("next") + " →", body.page + 1));
    const all = new URL("./", base);
    all.search = new URLSearchParams({ q: body.query, ui });
    controls.push(el("a", { class: "all", href: all.href, target: "_blank", rel: "noopener" }, t("open_all"),
                     el("span", { class: "hidden" }, " " + t("opens_new_tab"))));
    pager.replaceChildren(...controls);
    renderFacets(body.facets || {});
  }

  function renderFacets(facets) {
    facetPanel.replaceChildren(...facetNames.filter((name) => (facets[name] || []).length).map((name) => {
      const key = `facet_${name}`;
      const heading = text[key] ? t(key) : name;
      const values = facets[name].map(({ value, count }) => {
        const box = el("input", { type: "checkbox" });
        box.checked = (chosen.get(name) || new Set()).has(value);
        box.addEventListener("change", () => {
          const picked = chosen.get(name) || new Set();
          if (box.checked) picked.add(value); else picked.delete(value);
          chosen.set(name, picked);
          run(current.query, 1);
        });
        const label = name === "lang" && text[`lang_${value}`] ? t(`lang_${value}`) : value;
        return el("label", {}, box, ` ${label} `, el("span", { class: "count" }, `(${count})`));
      });
      return el("fieldset", {}, el("legend", {}, heading), ...values);
    }));
  }

  function pageButton(label, page) {
    const control = el("button", { type: "button" }, label);
    control.addEventListener("click", () => { run(current.query, page); input.focus(); });
    return control;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (query) run(query, 1);
  });
})();
