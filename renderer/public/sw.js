/*
 * StableQueue's service worker: makes the web app installable and its shell load at once.
 * The shell (index.html and the hashed assets) is served from the cache and refreshed in
 * the background; everything live (the API, the event stream, images) always goes to the
 * network, untouched, so data stays as fresh as the SSE stream makes it.
 */
const SHELL_CACHE = 'stablequeue-shell-v1';
const LIVE_PREFIXES = ['/api/', '/gallery_files/', '/compat/', '/metrics'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.add('/')).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== SHELL_CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (LIVE_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    // Any client-side route is the same shell: answer from the cache, refresh it behind.
    event.respondWith((async () => {
      const cache = await caches.open(SHELL_CACHE);
      const fresh = fetch(request).then((response) => {
        if (response.ok) void cache.put('/', response.clone());
        return response;
      });
      const cached = await cache.match('/');
      if (cached) {
        event.waitUntil(fresh.catch(() => undefined));
        return cached;
      }
      return fresh;
    })());
    return;
  }
  if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    // Hashed file names never change: the cache is always right once it has them.
    event.respondWith((async () => {
      const cache = await caches.open(SHELL_CACHE);
      const cached = await cache.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok) void cache.put(request, response.clone());
      return response;
    })());
  }
});
