// Offline use of the course, a progressive enhancement: every page works without it.
// Registers the service worker (sw.js), saves a module's pages in the cache, and sends what
// was done offline (kept in IndexedDB by the service worker) when the server can be reached.
(() => {
  "use strict";
  const bar = document.getElementById("offline-bar");
  if (!bar || !("serviceWorker" in navigator) || !("caches" in window) || !("indexedDB" in window)) {
    return;
  }
  const CACHE = "cybercap-learn-v1";
  const DB_NAME = "cybercap-offline";
  const learner = bar.dataset.learner;
  const statusEl = bar.querySelector("[data-offline-status]");
  const msg = (name, value) => (bar.dataset["msg" + name] || "").replace("%n", value === undefined ? "" : value);
  const loadedAt = new Date().toISOString();

  // --- IndexedDB, the same schema as sw.js ---------------------------------------------------
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

  async function withStore(name, mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(name, mode);
        const result = work(tx.objectStore(name));
        tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }
  const getAll = (name) => withStore(name, "readonly", (store) => store.getAll());
  const put = (name, value) => withStore(name, "readwrite", (store) => store.put(value));
  const remove = (name, key) => withStore(name, "readwrite", (store) => store.delete(key));

  // --- the service worker and the manifest ---------------------------------------------------
  const link = document.createElement("link");
  link.rel = "manifest";
  link.href = bar.dataset.manifest;
  document.head.appendChild(link);
  const registered = navigator.serviceWorker
    .register(bar.dataset.sw, { scope: bar.dataset.scope })
    .catch(() => null);

  // Forms the service worker may keep: say whose they are and when the page was opened.
  for (const form of document.querySelectorAll('form[action$="/complete/"], form[data-offline]')) {
    const who = document.createElement("input");
    who.type = "hidden";
    who.name = "offline_learner";
    who.value = learner;
    form.appendChild(who);
    const opened = form.querySelector('input[name="started"]') || document.createElement("input");
    if (!opened.parentNode) {
      opened.type = "hidden";
      opened.name = "opened_at";
      form.appendChild(opened);
    }
    opened.value = loadedAt;
  }

  // --- the queue -------------------------------------------------------------------------
  const mine = (record) => !record.learner || String(record.learner) === String(learner);

  function describe(record) {
    return record.kind === "lesson"
      ? msg("Lesson") + ": " + record.lesson
      : msg("Attempt") + ": " + record.module;
  }

  async function showQueue() {
    const queue = (await getAll("queue")).filter(mine);
    statusEl.textContent = queue.length ? msg("Pending", queue.length) : "";
    bar.hidden = false;
    const list = document.querySelector("[data-offline-queue]");
    if (list) {
      list.replaceChildren(
        ...queue.map((record) => {
          const item = document.createElement("li");
          item.textContent = describe(record) + " (" + record.queued_at + ")";
          return item;
        })
      );
    }
    return queue;
  }

  function logResult(record, result) {
    const list = document.querySelector("[data-offline-log]");
    if (!list) {
      return;
    }
    const item = document.createElement("li");
    const status = { recorded: msg("Recorded"), duplicate: msg("Duplicate") }[result.status] || msg("Rejected");
    item.textContent = describe(record) + ": " + status + (result.message ? " (" + result.message + ")" : "");
    if (result.url) {
      item.append(" ");
      const a = document.createElement("a");
      a.href = result.url;
      a.textContent = result.percent + "%";
      item.append(a);
    }
    if (result.flags && result.flags.length) {
      item.append(" (" + msg("Flagged") + ")");
    }
    list.append(item);
  }

  let syncing = null;
  async function syncNow() {
    if (syncing) {
      return syncing;
    }
    syncing = (async () => {
      const queue = (await getAll("queue")).filter(mine);
      if (!queue.length) {
        statusEl.textContent = msg("Sent");
        return;
      }
      statusEl.textContent = msg("Sending");
      let response;
      try {
        response = await fetch(bar.dataset.sync, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": bar.dataset.csrf },
          body: JSON.stringify({ records: queue }),
        });
      } catch (error) {
        statusEl.textContent = msg("Unreachable");
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || !type.startsWith("application/json")) {
        statusEl.textContent = msg("Signin");
        return;
      }
      const { results } = await response.json();
      for (const result of results) {
        const record = queue.find((r) => r.id === result.id);
        if (!record) {
          continue;
        }
        // Recorded now, recorded before, or never recordable: done with it. Others wait.
        if (["recorded", "duplicate", "rejected"].includes(result.status)) {
          await remove("queue", record.id);
          logResult(record, result);
        }
      }
      const left = await showQueue();
      if (!left.length) {
        statusEl.textContent = msg("Sent");
      }
    })().finally(() => {
      syncing = null;
    });
    return syncing;
  }

  // --- saving a module ---------------------------------------------------------------------
  const STATIC = /(?:src|href)="(\/static\/[^"]+)"/g;

  async function fetchInto(cache, url, key) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok || response.redirected) {
      throw new Error(url + " " + response.status);
    }
    await cache.put(key || url, response.clone());
    return response;
  }

  async function saveModule(packageUrl, state) {
    state.textContent = msg("Saving");
    try {
      await registered;
      const response = await fetch(packageUrl, { credentials: "same-origin" });
      if (!response.ok || response.redirected) {
        throw new Error(String(response.status));
      }
      const pkg = await response.json();
      const cache = await caches.open(CACHE);
      const assets = new Set();
      for (const url of pkg.urls) {
        // A lesson is saved from its side-effect-free copy, under the lesson's own address.
        const lesson = /\/lessons\/[^/]+\/$/.test(url);
        const saved = await fetchInto(cache, lesson ? url + "offline/" : url, url);
        if ((saved.headers.get("Content-Type") || "").startsWith("text/html")) {
          for (const match of (await saved.text()).matchAll(STATIC)) {
            assets.add(match[1].replace(/&amp;/g, "&"));
          }
        }
      }
      for (const url of assets) {
        await fetchInto(cache, url);
      }
      await put("modules", {
        key: pkg.key,
        title: pkg.title,
        course_title: pkg.course_title,
        course: pkg.course,
        urls: pkg.urls.concat([...assets]),
        learner: pkg.learner,
        saved_at: new Date().toISOString(),
      });
      state.textContent = msg("Saved");
      state.dataset.saved = "true";
    } catch (error) {
      state.textContent = msg("Failed", error.message);
    }
  }

  async function removeModule(record) {
    const modules = await getAll("modules");
    const kept = new Set(modules.filter((m) => m.key !== record.key).flatMap((m) => m.urls));
    const cache = await caches.open(CACHE);
    for (const url of record.urls) {
      if (!kept.has(url)) {
        await cache.delete(url);
      }
    }
    await remove("modules", record.key);
  }

  async function showModules() {
    const list = document.querySelector("[data-offline-modules]");
    const saved = await getAll("modules");
    // Pages another account saved on this (shared) device are theirs: drop them.
    for (const record of saved.filter((m) => !mine(m))) {
      await removeModule(record);
    }
    const modules = saved.filter(mine);
    for (const holder of document.querySelectorAll("[data-offline-module]")) {
      const key = holder.dataset.offlineModule.replace(/^.*\/learn\/([^/]+)\/modules\/([^/]+)\/offline\.json$/, "$1/$2");
      const state = holder.querySelector("[data-offline-state]");
      if (modules.some((m) => m.key === key)) {
        state.textContent = msg("Saved");
        state.dataset.saved = "true";
      }
      holder.hidden = false;
      holder.querySelector("button").addEventListener("click", () => saveModule(holder.dataset.offlineModule, state));
    }
    if (!list) {
      return;
    }
    document.querySelector("[data-offline-none]").hidden = modules.length > 0;
    list.replaceChildren(
      ...modules.map((record) => {
        const item = document.createElement("li");
        const a = document.createElement("a");
        a.href = record.urls.find((u) => /\/lessons\//.test(u)) || record.urls[0];
        a.textContent = record.course_title + ": " + record.title;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = msg("Remove");
        button.addEventListener("click", async () => {
          await removeModule(record);
          item.textContent = msg("Removed");
        });
        item.append(a, " ", button);
        return item;
      })
    );
  }

  bar.querySelector("[data-offline-sync]").addEventListener("click", () => syncNow());
  window.addEventListener("online", () => syncNow());
  showModules();
  showQueue().then((queue) => {
    if (queue.length && navigator.onLine) {
      syncNow();
    }
  });
})();
