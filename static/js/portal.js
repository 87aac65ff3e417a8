/* When an htmx request fails, say so in words instead of injecting an error page or nothing.
   The texts come from the page (data-msg-*), so they are translated with the rest of it. */
(function () {
  "use strict";
  function box() { return document.getElementById("htmx-error"); }
  function show(status) {
    var el = box();
    if (!el) { return; }
    el.textContent = el.getAttribute("data-msg-" + status) || el.getAttribute("data-msg-500");
    el.hidden = false;
    el.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    show([400, 403, 404, 429, 503].indexOf(status) >= 0 ? status : 500);
  });
  document.addEventListener("htmx:sendError", function () { show(0); });
  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el) { el.hidden = true; }
  });
})();

/* A button that prints the page (the sign-in book): no inline script, so the CSP stays strict. */
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) { event.preventDefault(); window.print(); }
});
