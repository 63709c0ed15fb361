/* The pages' search box (search page, /embed) completes the word being typed; without JavaScript it
 * is a plain search box. */
(() => {
  "use strict";
{% include "_combobox.js" %}
  const input = document.querySelector("input[data-suggest]");
  if (!input) return;
  const lang = input.form.querySelector("select[name=lang]");
  combobox(input, { url: input.dataset.suggest, lang: () => lang && lang.value, label: input.dataset.suggestLabel,
                    status: input.dataset.suggestStatus, choose: () => input.form.requestSubmit() });
})();
