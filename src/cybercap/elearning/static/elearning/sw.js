// cybercap's service worker for /learn/: serves saved modules when the server cannot be
// reached, and keeps "lesson read" and quiz submissions made offline in IndexedDB until the
// page script (offline.js) sends them. Served from /learn/sw.js, so its scope is /learn/.
"use strict";

const CACHE = "cybercap-learn-v1";
const DB_NAME = "cybercap-offline";
const SCOPE = new URL(self.registration.scope).pathname;
const LESSON_DONE = /\/([^/]+)\/lessons\/([^/]+)\/complete\/$/;
// A module quiz or the course's final test, on one page.
const QUIZ = /\/([^/]+)\/(?:modules\/([^/]+)\/quiz|final-test)\/offline\/$/;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("queue")) {
        db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
      }
      if (!db.objectStoreNames.contains("modules")) {
        db.createObjectStore("modules", { keyPath: "key" });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function enqueue(record) {
  const db = await openDb();
  await new Promise((resolve, reject) => {
    const tx = db.transaction("queue", "readwrite");
    tx.objectStore("queue").add(record);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// Static files: the saved copy at once, refreshed in the background for next time.
async function staleWhileRevalidate(event) {
  const request = event.request;
  const cached = await caches.match(request);
  if (!cached) {
    return fetch(request);
  }
  event.waitUntil(
    fetch(request)
      .then(async (response) => {
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put(request, response);
        }
      })
      .catch(() => undefined)
  );
  return cached;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      // Keep a saved page fresh; pages never saved are not cached.
      const cache = await caches.open(CACHE);
      if (await cache.match(request.url)) {
        await cache.put(request.url, response.clone());
      }
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request.url);
    if (cached) {
      return cached;
    }
    if (request.mode === "navigate") {
      const home = await caches.match(SCOPE + "offline/");
      if (home) {
        return home;
      }
    }
    throw error;
  }
}

async function sendOrKeep(request, path) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const form = await copy.formData();
    const now = new Date().toISOString();
    const learner = form.get("offline_learner") || null;
    let record;
    const lesson = path.match(LESSON_DONE);
    if (lesson) {
      record = {
        kind: "lesson",
        course: lesson[1],
        lesson: lesson[2],
        opened_at: form.get("opened_at") || null,
        completed_at: now,
      };
    } else {
      const quiz = path.match(QUIZ);
      const fields = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
          fields.push([name, value]);
        }
      }
      record = {
        kind: "attempt",
        course: quiz[1],
        module: quiz[2] || "final-test",
        client_id: self.crypto.randomUUID(),
        submitted_at: now,
        fields: fields,
      };
    }
    record.learner = learner;
    record.queued_at = now;
    await enqueue(record);
    const saved = await caches.match(SCOPE + "offline/saved/");
    return (
      saved ||
      new Response("Saved on this device; it will be sent when you are next online.", {
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      })
    );
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST") {
    if (url.pathname.startsWith(SCOPE) && (LESSON_DONE.test(url.pathname) || QUIZ.test(url.pathname))) {
      event.respondWith(sendOrKeep(request, url.pathname));
    }
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (url.pathname.startsWith(SCOPE) && url.pathname !== SCOPE + "sw.js") {
    event.respondWith(networkFirst(request));
  }
});
