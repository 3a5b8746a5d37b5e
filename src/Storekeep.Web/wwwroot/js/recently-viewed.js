// The product page is cached whole for every guest, so this visitor's "Recently viewed" is not on
// it: the page names its product, and this records the view and fetches the visitor's own list.
(() => {
  const slot = document.querySelector("[data-recently-viewed]");
  if (!slot) return;
  fetch("/recently-viewed?product=" + encodeURIComponent(slot.dataset.recentlyViewed), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Accept": "text/html" },
  })
    .then((response) => (response.ok ? response.text() : ""))
    .then((html) => { if (html.trim()) slot.innerHTML = html; })
    .catch(() => { /* an extra: the page is complete without it */ });
})();
