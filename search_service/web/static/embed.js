/* /embed in an iframe: tell the host page how tall the content is, whenever that changes, so the
 * host can size the iframe to fit (see README, "Embed"). The height is no secret, hence "*". */
(() => {
  "use strict";
  if (window.parent === window) return;
  let last = 0;
  const report = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "archive-search:height", height }, "*");
    }
  };
  new ResizeObserver(report).observe(document.body);
  report();
})();
