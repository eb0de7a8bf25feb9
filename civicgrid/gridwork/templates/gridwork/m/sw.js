{% load i18n %}/* civicgrid gridwork service worker {{ version }}: the grid worker's pages and their assets
   stay on the phone, so entries can be made without a signal (they wait in the outbox).

   The entry forms (PAGES) are fetched at install. Every other page of the worker's H5 that
   was opened online (a campaign's door-to-door list, a day of the diary) is kept as it was
   last seen, network first, under its own address (query included), at most MAX_PAGES of
   them, the least recently fetched dropped first. Offline, a page never opened answers an
   honest "not kept" message, never another page under its address. */
var CACHE = "gridwork-{{ version }}";
var ASSETS = [{% for a in assets %}"{{ a|escapejs }}",{% endfor %}];
var PAGES = [{% for p in pages %}"{{ p|escapejs }}",{% endfor %}];
/* The entry forms among PAGES: opened with a preset (?plan=…) they are the same form. The
   other pages (the diary's ?day=…) show another content under a query: never substituted. */
var FORMS = [{% for p in forms %}"{{ p|escapejs }}",{% endfor %}];
var SCOPE = "{{ scope|escapejs }}";
var SELF = "{{ self|escapejs }}";
var MAX_PAGES = {{ max_pages }};
var NOT_KEPT = "{% translate "当前没有网络，此页面尚未缓存。请返回工作台继续记录。" as not_kept %}{{ not_kept|force_escape|escapejs }}";
var BACK = "{% translate "返回工作台" as back %}{{ back|force_escape|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return Promise.all(PAGES.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (r) { if (r.ok && !r.redirected) return cache.put(url, r); }).catch(function () {});
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gridwork-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* A page's key in the cache: its path and query, without the fragment. */
function pageKey(url) { return url.pathname + url.search; }

function isHtml(r) { return (r.headers.get("Content-Type") || "").indexOf("text/html") === 0; }

/* The pages kept beyond PAGES, oldest first (a put moves a key to the end): drop the
   oldest past MAX_PAGES so the phone's storage stays bounded. */
function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.filter(function (k) {
      var u = new URL(k.url);
      return ASSETS.indexOf(u.pathname) < 0 && PAGES.indexOf(pageKey(u)) < 0;
    });
    return Promise.all(extra.slice(0, Math.max(0, extra.length - MAX_PAGES)).map(function (k) { return cache.delete(k); }));
  });
}

function keep(key, response) {
  return caches.open(CACHE).then(function (cache) {
    return cache.put(key, response).then(function () { return trim(cache); });
  }).catch(function () { /* storage full: the page still shows */ });
}

function notKept() {
  var html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>"
    + "<p style='font:16px sans-serif;padding:20px'>" + NOT_KEPT + "</p>"
    + "<p style='font:16px sans-serif;padding:0 20px'><a href='" + SCOPE + "'>" + BACK + "</a></p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (req.mode !== "navigate" || url.pathname.indexOf(SCOPE) !== 0 || url.pathname === SELF) return;
  var key = pageKey(url);
  event.respondWith(fetch(req).then(function (r) {
    // Only the page itself, as the worker saw it: not a redirect (to the sign-in page), not an error.
    if (r.ok && !r.redirected && isHtml(r)) event.waitUntil(keep(key, r.clone()));
    return r;
  }).catch(function () {
    return caches.match(key).then(function (hit) {
      if (hit) return hit;
      // An entry form opened with a preset (?plan=…) is the same form: its page without the query.
      if (url.search && FORMS.indexOf(url.pathname) >= 0) {
        return caches.match(url.pathname).then(function (form) { return form || notKept(); });
      }
      return notKept();
    });
  }));
});
