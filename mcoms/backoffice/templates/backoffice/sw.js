{% load static %}/* MCOMS back office service worker: keeps the shell's stylesheet and icons
   at hand; pages always come from the network (they hold live figures). */
"use strict";
var CACHE = "mcoms-backoffice-v1";
var SHELL = [
  "{% static 'css/mcoms.css' %}",
  "{% static 'backoffice/icon.svg' %}",
  "{% static 'backoffice/manifest.webmanifest' %}"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }));
  self.clients.claim();
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (SHELL.indexOf(url.pathname) === -1) { return; }
  // Network first so a new stylesheet shows at once; the cache when offline.
  event.respondWith(fetch(event.request).then(function (response) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
    return response;
  }).catch(function () { return caches.match(event.request); }));
});
