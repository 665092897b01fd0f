// LearnTrek service worker: keeps the app shell so the app opens with no signal.
// The build replaces __BUILD__ with a hash of the shell, so each release gets a
// fresh cache and the old one is dropped on activation.
const CACHE = "learntrek-shell-__BUILD__";
const SHELL = [
  "/",
  "/app.css?v=__BUILD__",
  "/pkg/lt_pwa.js?v=__BUILD__",
  "/pkg/lt_pwa_bg.wasm?v=__BUILD__",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // The API is never cached here: data is per person and must be fresh.
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    // Every page of the app is the same shell; try the network so a new
    // release shows up, and fall back to the cached shell without a signal.
    event.respondWith(
      fetch(request).catch(() => caches.match("/", { cacheName: CACHE })),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
