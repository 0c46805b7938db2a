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

// Web Push: "job done / failed / queue done" with the thumbnail; a tap opens the job.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(self.registration.showNotification(data.title || 'StableQueue', {
    body: data.body || '',
    icon: '/icons/icon-256.png',
    image: data.image || undefined,
    tag: data.tag || undefined,
    data: { open: data.open || '/queue' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.open) || '/queue', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin === self.location.origin && 'navigate' in client) {
        await client.focus();
        return client.navigate(target);
      }
    }
    return self.clients.openWindow(target);
  })());
});
