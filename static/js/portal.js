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
  document.addEventListener("htmx:sendError", function () {
    // the sign-in page keeps working without signal (offline.js says so in its own words)
    if (!document.querySelector("[data-offline]")) { show(0); }
  });
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

/* The sign-in page: after a tap from the results, the search box is emptied and keeps the focus for the
   next name (the tapped row stays on screen, now 已签到); a line the book already has (the page's own tap
   coming back in the poll for QR sign-ins) is shown once. */
document.addEventListener("htmx:beforeRequest", function (event) {
  var form = event.detail.elt;  // still on the page (the answer replaces it, and a detached form's events stop)
  if (!form.matches || !form.matches("form[data-tap]")) { return; }
  var search = document.getElementById("search");
  if (search) { search.value = ""; search.focus(); }
});
document.addEventListener("htmx:afterSettle", function () {
  var book = document.getElementById("book-list");
  if (!book) { return; }
  var seen = {};
  Array.prototype.slice.call(book.children).forEach(function (line) {
    if (!line.id) { return; }
    if (seen[line.id]) { line.remove(); } else { seen[line.id] = true; }
  });
});

/* Back and forward never show a stale page (a sign-in book from before the last taps): a page the browser
   restores from its back-forward cache is loaded again. */
window.addEventListener("pageshow", function (event) {
  if (event.persisted) { window.location.reload(); }
});

/* A record being typed is also kept on the phone itself (the server keeps it too, a few seconds after each
   pause): a dropped signal or a timed-out session loses nothing. The phone's copy remembers the text the page
   showed when typing began, and comes back only while the page still shows that text (nobody saved a newer
   record meanwhile, here or on another phone); once the page shows the same text saved, it is dropped. */
(function () {
  "use strict";
  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (error) { return null; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-draft-key]"), function (area) {
      var key = area.getAttribute("data-draft-key");
      var base = area.value;
      var kept = read(key);
      if (kept && kept.text === area.value) {
        window.localStorage.removeItem(key);
      } else if (kept && kept.base === area.value) {
        area.value = kept.text;
        base = kept.base;
        var note = document.getElementById("draft-status");
        if (note) { note.textContent = note.getAttribute("data-restored") || ""; }
      }
      area.addEventListener("input", function () {
        try {
          window.localStorage.setItem(key, JSON.stringify({ text: area.value, base: base }));
        } catch (error) { /* storage full or off: the server's copy remains */ }
      });
    });
  });
})();

/* After the session ends (the login page, or any page without an account), with or without a logout, the
   copies the service worker kept of the sign-in pages — names of people in a sign-in book — and the
   roster are dropped from the phone. */
(function () {
  "use strict";
  if (!document.body || !document.body.hasAttribute("data-anonymous") || !window.caches) { return; }
  window.caches.keys().then(function (keys) {
    keys.forEach(function (key) { if (key.indexOf("portal-sign-in-") === 0) { window.caches.delete(key); } });
  }).catch(function () {});
})();

/* The logout empties the phone (the server sends Clear-Site-Data; the drafts of records are removed here
   too, for browsers that ignore it). Taps kept without signal and not yet sent would be lost: the worker
   is asked first. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-logout]")) { return; }
  var waiting = 0;
  var drafts = [];
  try {
    for (var i = 0; i < window.localStorage.length; i += 1) {
      var key = window.localStorage.key(i);
      if (key.indexOf("sign-in-queue-") === 0) {
        try { waiting += JSON.parse(window.localStorage.getItem(key) || "[]").length; } catch (error) { /* unreadable */ }
      } else if (key.indexOf("record-") === 0) {
        drafts.push(key);
      }
    }
  } catch (error) { return; }
  if (waiting && !window.confirm((form.getAttribute("data-msg-waiting") || "").split("{n}").join(waiting))) {
    event.preventDefault();
    return;
  }
  drafts.forEach(function (key) { window.localStorage.removeItem(key); });
});
