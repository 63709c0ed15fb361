/* The query log page: the admin token is typed once and kept in this tab's sessionStorage (never in a
 * URL or a cookie), then sent as an Authorization header to /api/admin/queries. Queries are readers'
 * text: they reach the page only as text nodes. */
"use strict";

(() => {
  const TOKEN_KEY = "archive-search-admin-token";
  const form = document.getElementById("queries-form");
  const tokenInput = document.getElementById("queries-token");
  const daysInput = document.getElementById("queries-days");
  const status = document.getElementById("queries-status");
  const results = document.getElementById("queries-results");

  const say = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  function cell(text, lang) {
    const td = document.createElement("td");
    td.textContent = text;
    if (lang) td.lang = lang;
    return td;
  }

  function fill(list, rows) {
    const body = document.querySelector(`#queries-${list} tbody`);
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      const last = document.createElement("time");
      last.dateTime = row.last;
      last.textContent = new Date(row.last).toLocaleString(document.documentElement.lang);
      const when = cell("");
      when.append(last);
      tr.append(cell(row.query, row.language), cell(row.count), cell(row.empty), cell(row.filtered), when);
      return tr;
    }));
  }

  async function show() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return;
    const url = `/api/admin/queries?days=${encodeURIComponent(daysInput.value)}`;
    try {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
      const body = await response.json();
      if (!response.ok) {
        if (response.status === 401) sessionStorage.removeItem(TOKEN_KEY);
        throw new Error(body.error ? body.error.message : response.statusText);
      }
      fill("frequent", body.frequent);
      fill("found_nothing", body.found_nothing);
      status.textContent = say(status.dataset.summary, body);
      results.hidden = false;
    } catch (error) {
      results.hidden = true;
      status.textContent = say(status.dataset.failed, { message: error.message });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (tokenInput.value.trim()) sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
    tokenInput.value = "";
    show();
  });
  document.getElementById("queries-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    results.hidden = true;
    status.textContent = "";
  });
  show();
})();
