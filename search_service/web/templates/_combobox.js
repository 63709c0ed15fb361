  /* A search box as an ARIA 1.2 combobox: completions of the word being typed from the archive's
   * /api/suggest, chosen with the arrow keys and Enter (or a click), closed with Escape. Completions
   * are record text: set as text, never as HTML. Shared by the pages and the widget. */
  function combobox(input, { url, lang, label, status: statusText, choose }) {
    const list = document.createElement("ul");
    const status = document.createElement("div");
    list.id = `${input.id}-completions`;
    list.className = "completions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label);
    list.hidden = true;
    status.className = "completions-status";
    status.setAttribute("role", "status");
    input.after(list, status);
    Object.entries({ role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
                     "aria-controls": list.id, autocomplete: "off" })
      .forEach(([name, value]) => input.setAttribute(name, value));

    let active = -1;
    let timer = 0;
    let asked = 0;
    const options = () => [...list.children];
    const close = () => {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    const highlight = (index) => {
      const items = options();
      active = (index + items.length) % items.length;
      items.forEach((item, at) => item.setAttribute("aria-selected", String(at === active)));
      input.setAttribute("aria-activedescendant", items[active].id);
    };
    const pick = (text) => {
      input.value = text;
      close();
      choose(text);
    };
    const show = (suggestions) => {
      list.replaceChildren(...suggestions.map((suggestion, at) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${at}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = suggestion.text;
        item.addEventListener("mousedown", (event) => { event.preventDefault(); pick(suggestion.text); });
        return item;
      }));
      active = -1;
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      input.removeAttribute("aria-activedescendant");
      status.textContent = statusText.replace("{count}", suggestions.length);
    };
    const ask = async () => {
      const mine = ++asked;
      const params = new URLSearchParams({ q: input.value });
      if (lang()) params.set("lang", lang());
      try {
        const answer = await fetch(`${url}?${params}`, { headers: { Accept: "application/json" } });
        if (mine === asked && answer.ok) show((await answer.json()).suggestions);
      } catch (error) {
        close();  // no completions: the box still searches
      }
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && options().length > 0;
      if (event.key === "ArrowDown" && open) highlight(active + 1);
      else if (event.key === "ArrowUp" && open) highlight(active - 1);
      else if (event.key === "Enter" && open && active >= 0) pick(options()[active].textContent);
      else if (event.key === "Escape" && open) close();
      else return;
      event.preventDefault();
    });
    input.addEventListener("blur", close);
  }
