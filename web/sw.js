// Offline support: after the first visit the playground works without a network.
// Pages: network first (a new release arrives when online), cached copy when offline.
// Assets (content-hashed names from trunk: .js, .wasm, .css): cache first.
// The cache is filled at install time from the asset names in index.html, so the very first
// visit is enough. Everything is same-origin and relative, so it works under any sub-path.
const CACHE = 'kafka-playground-v1';
const ASSET = /\.(?:js|wasm|css|html)$/;

async function precache() {
  const cache = await caches.open(CACHE);
  const index = new URL('./', self.registration.scope).href;
  const res = await fetch(index, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(index, res);
  const names = new Set();
  for (const m of html.matchAll(/(?:href|src|module_or_path:|from)\s*=?\s*['"]([^'"#?]+\.(?:js|wasm|css))['"]/g)) {
    names.add(new URL(m[1], index).href);
  }
  await Promise.all([...names].map(async (u) => {
    const r = await fetch(u);
    if (r.ok) await cache.put(u, r);
  }));
}

self.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    e.respondWith((async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok) cache.put(new URL('./', self.registration.scope).href, res.clone());
        return res;
      } catch {
        return (await cache.match(new URL('./', self.registration.scope).href)) || Response.error();
      }
    })());
  } else if (ASSET.test(url.pathname)) {
    e.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(req);
      if (hit) return hit;
      const res = await fetch(req);
      if (res.ok) cache.put(req, res.clone());
      return res;
    })());
  }
});
