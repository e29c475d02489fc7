/* MCOMS service worker: keeps the app's shell for weak networks. */
"use strict";
const CACHE = "{{ cache }}";
const PREFIX = "{{ prefix }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}",{% endfor %}];
const OFFLINE = "{{ offline|escapejs }}";
const HOME = "{{ home|escapejs }}";
self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))
  )).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (req.mode === "navigate") {
    if (!OFFLINE && !HOME) return;
    e.respondWith(fetch(req).then((res) => {
      if (HOME && res.ok && url.pathname === HOME) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(HOME, copy));
      }
      return res;
    }).catch(() => caches.match(req).then((hit) => hit || caches.match(OFFLINE))));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    // Network first so a new stylesheet shows at once; the cache when offline.
    e.respondWith(fetch(req).then((res) => {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(req, copy));
      return res;
    }).catch(() => caches.match(req)));
  }
});
