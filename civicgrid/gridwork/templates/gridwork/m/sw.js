{% load i18n %}/* civicgrid gridwork service worker {{ version }}: the grid worker's pages and their assets
   stay on the phone, so entries can be made without a signal (they wait in the outbox). */
var CACHE = "gridwork-{{ version }}";
var ASSETS = [{% for a in assets %}"{{ a|escapejs }}",{% endfor %}];
var PAGES = [{% for p in pages %}"{{ p|escapejs }}",{% endfor %}];
var SCOPE = "{{ scope|escapejs }}";
var NOT_KEPT = "{% translate "当前没有网络，此页面尚未缓存。请返回工作台继续记录。" as not_kept %}{{ not_kept|force_escape|escapejs }}";

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

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (req.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(fetch(req).then(function (r) {
      if (r.ok && !r.redirected && PAGES.indexOf(url.pathname) >= 0) {
        var copy = r.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return r;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        return hit || caches.match(SCOPE) || new Response("<meta charset=utf-8><p style='font:16px sans-serif;padding:20px'>" + NOT_KEPT + "</p>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
  }
});
