/* Search within a record: with JavaScript the "first match" link becomes previous / next, stepping
 * through the marks (m-1 ... m-N) and saying which one is shown; without it, the link goes to the first. */
(() => {
  "use strict";
  const count = document.querySelector(".match-count");
  const [first, previous, next] = document.querySelectorAll(".match-step");
  if (!count || !first) return;
  const total = Number(count.dataset.matches);
  const shown = () => Number((location.hash.match(/^#m-(\d+)$/) || [])[1] || 0);
  const go = (number) => {
    location.hash = `m-${(number - 1 + total) % total + 1}`;
  };
  const update = () => {
    const at = shown();
    document.querySelectorAll("mark.current").forEach((mark) => mark.classList.remove("current"));
    if (at) document.getElementById(`m-${at}`).classList.add("current");
    count.textContent = at ? `${at} / ${total}` : count.dataset.label;
  };
  count.dataset.label = count.textContent;
  first.hidden = true;
  previous.hidden = next.hidden = false;
  previous.addEventListener("click", (event) => { event.preventDefault(); go((shown() || 1) - 1); });
  next.addEventListener("click", (event) => { event.preventDefault(); go(shown() + 1); });
  window.addEventListener("hashchange", update);
  update();
})();
