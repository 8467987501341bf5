// @ts-check
/* Station Inspector phone verifier: the service worker that keeps the page on the phone.
 *
 * Written for this project. hq publish-verifier writes it next to index.html; the page registers
 * it (page.js) when served over https:// (or from localhost). It makes the page an offline web
 * app: after the first visit, a phone with no signal at the station still opens the verify link
 * and decides, from the copy kept here.
 *
 * What it does, and nothing more:
 *   - it answers only navigations to the page itself (this directory, or its index.html) on this
 *     origin; every other request goes to the network as if it were not here;
 *   - it fetches only the page itself, from this origin: network first (so a phone with signal
 *     gets HQ's newest lists), waiting at most NETWORK_WAIT_MS before it answers from its copy,
 *     and keeping the newer page when the network answers later (the open page is told, and
 *     offers to reload);
 *   - it keeps the copy HQ published last: a page whose "published_at" is older than the copy's
 *     (a stale cache on the way) never replaces it.
 * The page checks every list it holds against its pinned HQ roots before it decides anything, so
 * a page fetched here is trusted no more than one the browser loaded itself.
 */
"use strict";

/** @type {any} */
const sw = self;
const CACHE = "inspector-verifier-v1";
const PAGE = new URL("index.html", sw.location.href).href; // the page sits next to this script
const NETWORK_WAIT_MS = 4000;
const CONFIG = /<script type="application\/json" id="inspector-config">([\s\S]*?)<\/script>/;
const UTC_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

/**
 * When HQ published a page (its config's published_at), or null if it is not the verify page.
 * @param {string} html
 * @returns {string | null}
 */
function publishedAt(html) {
  const m = CONFIG.exec(html);
  if (!m) return null;
  try {
    const at = JSON.parse(m[1]).published_at;
    return typeof at === "string" && UTC_TIME.test(at) ? at : null;
  } catch (e) {
    return null;
  }
}

/**
 * Fetch the page from the network and keep it when it is at least as new as the copy.
 * Resolves to the response to show (the copy's when the network's is older); rejects when the
 * network cannot give the page.
 * @returns {Promise<Response>}
 */
async function refresh() {
  const response = await fetch(PAGE, { cache: "no-cache", credentials: "omit" });
  if (!response.ok || response.type !== "basic") throw new Error("the page could not be fetched (" + response.status + ")");
  const fresh = publishedAt(await response.clone().text());
  if (fresh === null) throw new Error("the server did not send the verify page");
  const cache = await caches.open(CACHE);
  const kept = await cache.match(PAGE);
  if (kept) {
    const old = publishedAt(await kept.clone().text());
    if (old !== null && fresh < old) return kept; // never go back to an older page
    if (old === fresh) return response;
  }
  await cache.put(PAGE, response.clone());
  if (kept) await tell({ type: "page-updated", published_at: fresh });
  return response;
}

/** @param {any} message */
async function tell(message) {
  for (const client of await sw.clients.matchAll({ type: "window" })) client.postMessage(message);
}

/**
 * The answer to a navigation to the page: the network's within NETWORK_WAIT_MS, else the copy
 * (and the network's is kept when it comes); with neither, the network's error.
 * @param {any} event
 * @returns {Promise<Response>}
 */
async function page(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(PAGE);
  const network = refresh();
  if (!kept) return network.catch(() => fetch(event.request));
  /** @type {Promise<null>} */
  const wait = new Promise((resolve) => setTimeout(() => resolve(null), NETWORK_WAIT_MS));
  const first = await Promise.race([network.catch(() => null), wait]);
  if (first) return first;
  event.waitUntil(network.catch(() => null)); // keep the newer page when the network answers
  return kept;
}

sw.addEventListener("install", (/** @type {any} */ event) => {
  // Keep the page now, so the very next visit works without signal; install even if it fails
  // (the next navigation keeps it).
  event.waitUntil(refresh().catch(() => null).then(() => sw.skipWaiting()));
});

sw.addEventListener("activate", (/** @type {any} */ event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("inspector-verifier-") && name !== CACHE) await caches.delete(name);
      }
      await sw.clients.claim();
    })()
  );
});

sw.addEventListener("fetch", (/** @type {any} */ event) => {
  const request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate") return;
  const url = new URL(request.url);
  const scope = new URL(sw.registration.scope);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname !== scope.pathname && url.href.split(/[?#]/)[0] !== PAGE) return;
  event.respondWith(page(event));
});
