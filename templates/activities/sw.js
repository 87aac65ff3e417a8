/* The service worker of the worker's pages (served at /worker/sw.js, rendered so it names the static files
   as they are deployed). It keeps one thing working with no signal: opening an activity's sign-in page and
   its search roster, from the copy kept when they last loaded. Everything else goes to the network as usual.
   The copies are the session's: each carries the moment its session ends unless the person acts
   (X-Portal-Session-Ends), and is never served past it; the server saying the session has ended (a
   redirect to the login page, a 401) drops them all, and the logout empties the browser (Clear-Site-Data). */
"use strict";
var CACHE = "portal-sign-in-{{ version }}";
var ASSETS = {{ assets|safe }};
var KEPT = /^\/worker\/activities\/\d+\/(roster\/)?$/;
var PATIENCE_MS = 6000;  // a weak signal: after this long, the kept copy answers instead

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(ASSETS.map(function (url) { return cache.add(url).catch(function () { return null; }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

var ENDS = "X-Portal-Session-Ends";

function dropAll() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("portal-sign-in-") === 0; })
      .map(function (key) { return caches.delete(key); }));
  });
}

function sessionEnded(response) {
  return response.status === 401 || (response.redirected && new URL(response.url).pathname.indexOf("/accounts/login/") === 0);
}

function stillTheSessions(hit) {
  // a copy of a page is the session's that fetched it: past the session's end it is gone, not served
  if (!hit) { return null; }
  var ends = parseInt(hit.headers.get(ENDS) || "0", 10);
  if (!ends || Date.now() > ends) { dropAll(); return null; }
  return hit;
}

function networkFirst(request, key, isAsset) {
  var kept = function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key); })
      .then(function (hit) { return isAsset ? hit : stillTheSessions(hit); });
  };
  var network = fetch(request).then(function (response) {
    if (!isAsset && sessionEnded(response)) { dropAll(); return response; }
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  });
  var patience = new Promise(function (resolve) {
    setTimeout(function () { kept().then(function (hit) { if (hit) { resolve(hit); } }); }, PATIENCE_MS);
  });
  return Promise.race([
    network.catch(function () { return kept().then(function (hit) { return hit || Response.error(); }); }),
    patience
  ]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, url.pathname, true));
  } else if (KEPT.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname, false));
  }
});
