// LearnTrek service worker: keeps the app shell so the app opens with no signal.
// The build replaces __BUILD__ with a hash of the shell, so each release gets a
// fresh cache and the old one is dropped on activation.
const BUILD = "__BUILD__";
const CACHE = `learntrek-shell-${BUILD}`;
// What a first visit needs. The app itself (lt_pwa) is kept when it is
// first fetched, after sign-in, so the sign-in page alone stays small.
const SHELL = [
  "/",
  `/app.css?v=${BUILD}`,
  `/pkg/lt_shell.js?v=${BUILD}`,
  `/pkg/lt_shell_bg.wasm?v=${BUILD}`,
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
    // Every page of the app is the same shell, served from the cache so a
    // return visit costs no shell bytes and works with no signal. A new
    // release arrives as a new sw.js (the browser checks on navigation and
    // the app asks when it comes into view), which caches the new shell and
    // takes over; the page then offers to reload.
    event.respondWith(
      caches.match("/", { cacheName: CACHE }).then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetchAndKeep(event)),
  );
});

// This release's code is kept as it passes (the app, fetched after sign-in);
// anything else, and code asked for by an older page, is only fetched.
function fetchAndKeep(event) {
  const request = event.request;
  const url = new URL(request.url);
  return fetch(request).then((response) => {
    if (response.ok && url.pathname.startsWith("/pkg/") && url.searchParams.get("v") === BUILD) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
    }
    return response;
  });
}

// Alerts by Web Push. The payload is lock-screen safe (initials, place and
// time only); a tap opens the alert inside the app, behind sign-in.
self.addEventListener("push", (event) => {
  let alert = {};
  try {
    alert = event.data ? event.data.json() : {};
  } catch (e) {
    alert = {};
  }
  const id = typeof alert.alert_id === "string" ? alert.alert_id : "";
  const options = {
    body: alert.body || "Open LearnTrek to see it.",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    // Stays until someone acts on it: this may be a missing child.
    requireInteraction: true,
    data: { url: alert.url || "/alerts", alertId: id },
    actions: id ? [{ action: "acknowledge", title: "I'm dealing with it" }] : [],
  };
  if (id) {
    options.tag = id;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(alert.title || "LearnTrek alert", options));
});

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  const target = new URL(data.url || "/alerts", self.location.origin).href;
  // "I'm dealing with it" from the lock screen stops the escalation; the
  // request carries the sign-in cookie, and a signed-out phone just opens the app.
  const acknowledged =
    event.action === "acknowledge" && data.alertId
      ? fetch(`/api/alerts/${encodeURIComponent(data.alertId)}/acknowledge`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: "{}",
        }).catch(() => undefined)
      : Promise.resolve();
  event.waitUntil(
    acknowledged
      .then(() => self.clients.matchAll({ type: "window", includeUncontrolled: true }))
      .then((windows) => {
        const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
        if (open) {
          return open.navigate(target).then((w) => (w || open).focus());
        }
        return self.clients.openWindow(target);
      }),
  );
});
