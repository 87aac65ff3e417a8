/* Sign-in with no signal (the activity page). Taps and walk-ins that cannot reach the portal are kept on the
   phone, shown as 待发送, and sent when the signal returns, each exactly once: every tap carries its own key,
   and the portal writes a key once however often it arrives. While offline the search runs on the phone over
   the roster fetched when the page opened (name, age, phone tail, branch: what a result row shows anyway).
   The words come from the page (data-msg-*), so they are translated with the rest of it. Names are put on the
   page as text, never as markup. */
(function () {
  "use strict";
  var card = document.querySelector("[data-offline]");
  if (!card) { return; }
  if ("serviceWorker" in navigator && card.getAttribute("data-sw")) {
    navigator.serviceWorker.register(card.getAttribute("data-sw"), { scope: "/worker/" }).catch(function () {});
  }
  var QUEUE = "sign-in-queue-" + card.getAttribute("data-user") + "-" + card.getAttribute("data-activity");
  var roster = null;
  var offline = !navigator.onLine;
  var sending = false;

  function msg(name, values) {
    var text = card.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function queued() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE) || "[]"); } catch (error) { return []; }
  }
  function keep(list) {
    try {
      if (list.length) { window.localStorage.setItem(QUEUE, JSON.stringify(list)); } else { window.localStorage.removeItem(QUEUE); }
    } catch (error) { /* storage off (or full): the taps stay in this page's memory only */ }
    memory = list;
    showState();
  }
  var storage = (function () {
    try { window.localStorage.setItem(QUEUE + "-test", "1"); window.localStorage.removeItem(QUEUE + "-test"); return true; }
    catch (error) { return false; }
  })();
  var memory = [];
  function taps() { return storage ? queued() : memory; }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // also on a plain-HTTP intranet, where randomUUID is missing
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (error) { return ""; }
  }

  /* --- what the worker sees: the state line under the count, pending lines at the top of the book --- */
  function showState(note) {
    var box = document.getElementById("offline-status");
    if (!box) { return; }
    var waiting = taps().length;
    var text = "";
    if (note) { text = note; } else if (offline && waiting) { text = msg("offline-waiting", { n: waiting }); }
    else if (offline) { text = msg("offline"); } else if (waiting) { text = msg("sending", { n: waiting }); }
    box.textContent = text;
    box.hidden = !text;
    box.classList.toggle("offline", offline);
    var count = document.getElementById("book-count");  // the sticky count says what waits, too
    if (count) {
      var mark = document.getElementById("pending-count");
      if (!mark && waiting) { mark = el("span", "pending-mark"); mark.id = "pending-count"; count.appendChild(mark); }
      if (mark) { mark.textContent = waiting ? " · " + msg("pending-count", { n: waiting }) : ""; }
    }
    var book = document.getElementById("book-list");
    if (!book) { return; }
    var wanted = {};
    taps().forEach(function (tap) { wanted["pending-" + tap.key] = tap; });
    Array.prototype.forEach.call(book.querySelectorAll("li.pending"), function (line) {
      if (!wanted[line.id]) { line.remove(); } else { delete wanted[line.id]; }
    });
    Object.keys(wanted).forEach(function (id) {
      var tap = wanted[id];
      var line = el("li", "row pending");
      line.id = id;
      if (tap.cadre) { line.setAttribute("data-cadre", tap.cadre); }
      line.appendChild(el("span", "title", tap.name));
      line.appendChild(el("span", "meta", msg("pending")));
      var undo = el("button", "link undo", msg("undo"));
      undo.type = "button";
      undo.setAttribute("data-offline-undo", tap.key);
      line.appendChild(undo);
      book.insertBefore(line, book.firstChild);
    });
    var empty = document.getElementById("book-empty");
    if (empty && book.children.length) { empty.hidden = true; }
  }
  function calm(text) {
    var notice = document.getElementById("book-notice");
    if (notice) { notice.replaceChildren(el("p", "hint", text)); }
  }

  /* --- taps kept on the phone --- */
  function queueTap(tap) {
    var list = taps().filter(function (kept) { return kept.key !== tap.key; });
    var same = list.some(function (kept) {
      return (tap.cadre && kept.cadre === tap.cadre) || (!tap.cadre && kept.walk_in_name === tap.walk_in_name);
    });
    if (!same) { list.push(tap); }
    keep(list);
    if (tap.cadre) { showResult(tap.cadre); }
  }
  function dropTap(key) {
    var tap = taps().filter(function (kept) { return kept.key === key; })[0];
    keep(taps().filter(function (kept) { return kept.key !== key; }));
    if (tap && tap.cadre) { showResult(tap.cadre); }
  }
  function stateOf(pk) {
    var pending = taps().filter(function (tap) { return String(tap.cadre) === String(pk); })[0];
    if (pending) { return { pending: pending }; }
    var book = document.getElementById("book-list");
    if (book && book.querySelector('li.signed[data-cadre="' + pk + '"]')) { return { signed: true }; }
    return {};
  }
  function resultRow(person) {
    var row = el("li", "row result");
    row.id = "result-" + person.pk;
    row.setAttribute("data-offline-row", "");
    row.appendChild(el("span", "title", person.name));
    var meta = [];
    if (person.age !== null && person.age !== undefined) { meta.push(msg("age", { age: person.age })); }
    if (person.tail) { meta.push(msg("tail", { tail: person.tail })); }
    if (person.branch) { meta.push(person.branch); }
    row.appendChild(el("span", "meta", meta.join(" · ")));
    var state = stateOf(person.pk);
    if (state.pending) {
      row.appendChild(el("span", "pending-mark", msg("pending")));
      var undo = el("button", "link undo", msg("undo"));
      undo.type = "button";
      undo.setAttribute("data-offline-undo", state.pending.key);
      row.appendChild(undo);
    } else if (state.signed) {
      row.appendChild(el("span", "done", "✓ " + msg("signed")));
    } else {
      var tap = el("button", "primary tap-big", msg("tap"));
      tap.type = "button";
      tap.setAttribute("data-offline-tap", person.pk);
      tap.setAttribute("data-name", person.name);
      row.appendChild(tap);
    }
    return row;
  }
  function person(pk) {
    return (roster || []).filter(function (one) { return String(one.pk) === String(pk); })[0];
  }
  function showResult(pk) {
    var row = document.getElementById("result-" + pk);
    var one = person(pk);
    if (row && one) { row.replaceWith(resultRow(one)); }
  }

  /* --- the search with no signal: the same rules as the portal's (phone's last 4, pinyin, name) --- */
  function localSearch(query) {
    var results = document.getElementById("results");
    if (!results) { return; }
    var text = (query || "").replace(/\s+/g, "").toLowerCase();
    if (!text) { results.replaceChildren(); return; }
    if (!roster) { results.replaceChildren(el("p", "hint", msg("no-roster"))); return; }
    var found = roster.filter(function (one) {
      if (/^\d{4}$/.test(text)) { return one.tail === text; }
      if (/^[a-z]+$/.test(text)) { return one.initials.indexOf(text) === 0 || one.pinyin.indexOf(text) === 0; }
      return one.name.indexOf(text) >= 0;
    }).slice(0, 20);
    var list = el("ul", "list results");
    found.forEach(function (one) { list.appendChild(resultRow(one)); });
    results.replaceChildren();
    if (!found.length) { results.appendChild(el("p", "hint", msg("not-found"))); }
    results.appendChild(list);
  }
  function loadRoster() {
    fetch(card.getAttribute("data-roster"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.cadres) { roster = data.cadres; card.setAttribute("data-roster-ready", roster.length); }
      })
      .catch(function () { /* offline when opened: the service worker's copy answered, or nothing did */ });
  }

  /* --- sending the queue --- */
  function send() {
    var list = taps();
    if (sending || !list.length) { return; }
    sending = true;
    showState();
    fetch(card.getAttribute("data-sync"), {
      method: "POST",
      credentials: "same-origin",
      // sent by the page on its own (when the signal returns): never keeps the session alive
      headers: {
        "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf(), "X-Portal-Background": "1"
      },
      body: JSON.stringify({ taps: list.map(function (tap) {
        return { key: tap.key, cadre: tap.cadre || "", walk_in_name: tap.walk_in_name || "", at: tap.at };
      }) })
    }).then(function (response) {
      if (response.status === 401) {
        return response.json().then(function (data) { loginNeeded(data.login); });
      }
      if (!response.ok) { showState(msg("failed")); return null; }
      offline = false;
      return response.json().then(settle);
    }).catch(function () {
      offline = true;
      showState();
    }).then(function () { sending = false; });
  }
  function settle(data) {
    var names = {};
    taps().forEach(function (tap) { names[tap.key] = tap; });
    var notes = [];
    var done = {};
    (data.answers || []).forEach(function (answer) {
      var tap = names[answer.key];
      done[answer.key] = true;
      if (!tap) { return; }
      if (answer.status === "already") { notes.push(msg("already", { name: tap.name })); }
      if (answer.status === "refused") { notes.push(tap.name + "：" + answer.message); }
      var line = document.getElementById("pending-" + answer.key);
      if (line && answer.sign_in && answer.status === "signed") {
        line.id = "sign-in-" + answer.sign_in;  // the poll's own line for it takes its place
        line.className = "row signed";
        if (tap.cadre) { line.setAttribute("data-cadre", tap.cadre); }
        line.querySelector(".meta").textContent = msg("sent");
        var undo = line.querySelector("[data-offline-undo]");
        if (undo) { undo.remove(); }
      }
    });
    keep(taps().filter(function (tap) { return !done[tap.key]; }));
    var count = document.getElementById("signed-count");
    if (count && typeof data.signed === "number") { count.textContent = data.signed; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-row]"), function (row) {
      showResult(row.id.replace("result-", ""));
    });
    showState(notes.length ? null : msg("all-sent"));
    if (notes.length) { calm(notes.join(" ")); }
  }
  function loginNeeded(url) {
    var box = document.getElementById("offline-status");
    if (!box) { return; }
    box.replaceChildren(el("span", "", msg("login", { n: taps().length }) + " "));
    var link = el("a", "", msg("login-link"));
    link.href = url || "/accounts/login/";
    box.appendChild(link);
    box.hidden = false;
  }

  /* --- htmx: every tap carries a key; with no signal, taps are kept and the search runs here --- */
  function isTap(form) {
    return form && form.matches && (form.matches("form[data-tap]") || form.matches("form.walk-in"));
  }
  function tapOf(form) {
    var cadre = form.querySelector("[name=cadre]");
    var walkIn = form.querySelector("[name=walk_in_name]");
    var button = form.querySelector("[data-name]");
    var name = cadre ? (button ? button.getAttribute("data-name") : "") : (walkIn ? walkIn.value.trim() : "");
    return {
      key: form.getAttribute("data-key") || newKey(),
      cadre: cadre ? Number(cadre.value) : null,
      walk_in_name: walkIn ? walkIn.value.trim() : "",
      name: name,
      at: new Date().toISOString()
    };
  }
  function keptOffline(form) {
    var tap = tapOf(form);
    if (!tap.cadre && !tap.walk_in_name) { return; }
    queueTap(tap);
    if (!tap.cadre) { form.querySelector("[name=walk_in_name]").value = ""; }
    var row = form.closest("li.result");
    if (row && tap.cadre) {
      var one = person(tap.cadre);
      if (one) { row.replaceWith(resultRow(one)); } else { row.classList.add("pending"); }
    }
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!isTap(form)) { return; }
    var key = newKey();
    form.setAttribute("data-key", key);
    event.detail.parameters.key = key;
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!offline) { return; }
    if (isTap(elt)) { event.preventDefault(); keptOffline(elt); return; }
    if (elt.id === "search") { event.preventDefault(); localSearch(elt.value); return; }
    if (elt.id === "book-poll") { event.preventDefault(); }
  });
  function lost(event) {
    var elt = event.detail.elt;
    offline = true;
    if (isTap(elt)) { keptOffline(elt); } else if (elt.id === "search") { localSearch(elt.value); }
    showState();
  }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && offline) { offline = false; showState(); send(); }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-offline-tap], [data-offline-undo]") : null;
    if (!target) { return; }
    event.preventDefault();
    if (target.hasAttribute("data-offline-undo")) { dropTap(target.getAttribute("data-offline-undo")); return; }
    queueTap({
      key: newKey(),
      cadre: Number(target.getAttribute("data-offline-tap")),
      walk_in_name: "",
      name: target.getAttribute("data-name"),
      at: new Date().toISOString()
    });
    var search = document.getElementById("search");
    if (search) { search.value = ""; search.focus(); }
    if (!offline) { send(); }
  });
  document.addEventListener("htmx:afterSettle", function () { showState(); });  // a new count, a new book line
  window.addEventListener("offline", function () { offline = true; showState(); });
  window.addEventListener("online", function () { offline = false; showState(); send(); });
  window.setInterval(function () { if (taps().length && navigator.onLine) { send(); } }, 10000);

  loadRoster();
  showState();
  if (navigator.onLine) { send(); }
})();
