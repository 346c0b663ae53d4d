/* cybercap cmi5 runtime for one module (assignable unit), over shared/sco.js (lessons, quiz,
   scenarios and progress).

   The cmi5 launch sequence: read endpoint, fetch, actor, registration and activityId from the
   launch URL; POST the fetch URL once for the authorization token (kept in sessionStorage per
   fetch URL, so a reload of the same launch does not fetch it again and a new launch does); GET
   the LMS.LaunchData state document (never written by the AU); list the state documents and GET
   the AU's own, STATE_ID (the saved progress), when it is there, and resume from it; send
   "initialized" first; then
   - "answered" per quiz item and per scenario choice (the node as a cmi.interaction "choice"
     activity, the choice id as the response, the scenario as parent), "experienced" the
     scenario when a run ends (score, success against its pass score, completion): cmi5
     "allowed" statements, without the cmi5 category;
   - "passed" or "failed" against the mastery score (at most one per session; "passed" at most
     once per registration, sent on a later launch if the quiz was passed after a "failed" in
     the same session), "completed" once every lesson is read, the quiz taken and every
     scenario finished (once per registration): cmi5 "defined" statements, Normal mode only;
   - "terminated" last.
   The progress is PUT to STATE_ID after every change (Normal mode only), with the marks of
   the cmi5 statements already sent in the registration ("c": completed, "x": passed).
   Statements and state writes are sent one after another, in order. */
(function () {
  "use strict";
  var STATE_ID = "cybercap.au-progress";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY_EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";
  var SIMULATION = "http://adlnet.gov/expapi/activities/simulation";
  var started = new Date();
  var shared = window.cybercapSCO;
  var data = shared.data;
  var language = document.documentElement.lang || "en";
  var params = new URLSearchParams(window.location.search);
  var launch = {
    endpoint: params.get("endpoint") || "",
    fetch: params.get("fetch") || "",
    actor: params.get("actor") || "",
    registration: params.get("registration") || "",
    activityId: params.get("activityId") || ""
  };
  var marks = { c: 0, x: 0 };
  var session = { judged: false, terminated: false, ready: false };
  var token = null, launchData = null, queue = null, mastery = data.mastery, sco = null;

  function status(text) {
    var out = document.getElementById("quiz-result");
    if (out && text) { out.textContent = text; }
  }

  function endpointUrl(path) {
    var base = launch.endpoint;
    if (base.charAt(base.length - 1) !== "/") { base += "/"; }
    return base + path;
  }

  function headers() {
    return {
      "Authorization": "Basic " + token,
      "X-Experience-API-Version": "1.0.3",
      "Content-Type": "application/json"
    };
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16), hex = [], i;
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    for (i = 0; i < 16; i += 1) { hex.push((bytes[i] + 0x100).toString(16).slice(1)); }
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" +
      hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
  }

  function duration(ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(centis / 360000), m = Math.floor((centis % 360000) / 6000);
    var s = (centis % 6000) / 100, out = "PT";
    if (h) { out += h + "H"; }
    if (m) { out += m + "M"; }
    if (s || out === "PT") { out += String(s) + "S"; }
    return out;
  }

  function round4(x) { return Math.round(x * 10000) / 10000; }

  /* The fetch URL gives the token once: POST it only when this launch has none yet. */
  function getToken() {
    var key = "cmi5-token:" + launch.fetch;
    var kept = window.sessionStorage.getItem(key);
    if (kept) { return Promise.resolve(kept); }
    return window.fetch(launch.fetch, { method: "POST" }).then(function (response) {
      if (!response.ok) { throw new Error("fetch URL: HTTP " + response.status); }
      return response.json();
    }).then(function (body) {
      if (!body["auth-token"]) { throw new Error("fetch URL: " + (body["error-text"] || "no token")); }
      window.sessionStorage.setItem(key, body["auth-token"]);
      return body["auth-token"];
    });
  }

  function stateUrl(stateId) {
    var query = new URLSearchParams({
      stateId: stateId,
      activityId: launch.activityId,
      agent: launch.actor,
      registration: launch.registration
    });
    return endpointUrl("activities/state?" + query.toString());
  }

  /* The ids of the state documents kept for this AU, learner and registration (the State API's
     multiple-document GET): the AU asks for its own document only when it is there, rather
     than provoking a 404 on a first launch. */
  function stateIds() {
    var query = new URLSearchParams({
      activityId: launch.activityId,
      agent: launch.actor,
      registration: launch.registration
    });
    return window.fetch(endpointUrl("activities/state?" + query.toString()), {
      method: "GET", headers: headers()
    }).then(function (response) {
      if (!response.ok) { throw new Error("state ids: HTTP " + response.status); }
      return response.json();
    });
  }

  /* A state document's text; "" when there is none (404). */
  function getState(stateId) {
    return window.fetch(stateUrl(stateId), { method: "GET", headers: headers() }).then(function (response) {
      if (response.status === 404) { return ""; }
      if (!response.ok) { throw new Error(stateId + ": HTTP " + response.status); }
      return response.text();
    });
  }

  function normal() { return !launchData || !launchData.launchMode || launchData.launchMode === "Normal"; }

  function context(categories, options) {
    var ctx = JSON.parse(JSON.stringify(launchData.contextTemplate || {}));
    if (typeof options.masteryScore === "number") {
      ctx.extensions = ctx.extensions || {};
      ctx.extensions[MASTERY_EXTENSION] = options.masteryScore;
    }
    ctx.registration = launch.registration;
    ctx.language = language;
    function add(kind, ids) {
      if (!ids.length) { return; }
      ctx.contextActivities = ctx.contextActivities || {};
      var list = ctx.contextActivities[kind] || [];
      if (!Array.isArray(list)) { list = [list]; }
      ids.forEach(function (id) { list.push({ objectType: "Activity", id: id }); });
      ctx.contextActivities[kind] = list;
    }
    add("category", categories);
    add("parent", options.parents || []);
    return ctx;
  }

  function statement(verb, options) {
    var body = {
      id: uuid(),
      actor: JSON.parse(launch.actor),
      verb: { id: VERBS + verb, display: { "en-US": verb } },
      object: options.object || { objectType: "Activity", id: launch.activityId },
      context: context(options.categories || [], options),
      timestamp: new Date().toISOString(),
      version: "1.0.3"
    };
    if (options.result) { body.result = options.result; }
    return body;
  }

  function send(body, keepalive) {
    return window.fetch(endpointUrl("statements"), {
      method: "POST", headers: headers(), body: JSON.stringify(body), keepalive: !!keepalive
    }).then(function (response) {
      if (!response.ok) { throw new Error("statement: HTTP " + response.status); }
    });
  }

  function later(step) {
    queue = queue.then(step).catch(function (error) { status(String(error)); });
    return queue;
  }

  /* Statements go one after another, in the order they were made; none after terminated. */
  function enqueue(verb, options, keepalive) {
    if (!session.ready || (session.terminated && verb !== "terminated")) { return queue; }
    var body = statement(verb, options);
    return later(function () { return send(body, keepalive); });
  }

  /* The progress and the marks, saved in the AU's own state document (Normal mode). */
  function saveState(keepalive) {
    if (!session.ready || session.terminated || !normal()) { return queue; }
    var text = sco.save(marks);
    return later(function () {
      return window.fetch(stateUrl(STATE_ID), {
        method: "PUT", headers: headers(), body: text, keepalive: !!keepalive
      }).then(function (response) {
        if (!response.ok) { throw new Error(STATE_ID + ": HTTP " + response.status); }
      });
    });
  }

  function itemResponse(item, answer) {
    if (item.type === "true_false") { return answer.length ? (answer[0] === "true" ? "true" : "false") : ""; }
    if (item.type === "matching") {
      return Object.keys(answer).sort().filter(function (k) { return answer[k]; })
        .map(function (k) { return k + "[.]" + answer[k]; }).join("[,]");
    }
    return answer.join("[,]");
  }

  function itemObject(item) {
    var definition = {
      type: INTERACTION,
      interactionType: shared.TYPES[item.type],
      correctResponsesPattern: [item.pattern]
    };
    var components = item.options.map(function (id) { return { id: id }; });
    if (item.type === "matching") { definition.source = components; }
    else if (item.type !== "true_false") { definition.choices = components; }
    return { objectType: "Activity", id: item.iri, definition: definition };
  }

  function described(text) { var out = {}; out[language] = text; return out; }

  /* "completed": every lesson read, the quiz taken, every scenario finished; once. */
  function maybeCompleted() {
    if (marks.c || session.terminated || !normal() || !sco.materialDone()) { return; }
    marks.c = 1;
    enqueue("completed", {
      categories: [CATEGORY_CMI5, CATEGORY_MOVEON],
      result: { completion: true, duration: duration(new Date() - started) }
    });
  }

  /* "passed" / "failed" against the mastery score: one per session, "passed" once. */
  function judge(passed, scaled, percent) {
    if (!(mastery > 0) || !normal() || session.judged || marks.x || session.terminated) { return; }
    session.judged = true;
    var result = { success: passed, duration: duration(new Date() - started) };
    if (typeof scaled === "number") {
      result.score = { scaled: round4(scaled), raw: percent, min: 0, max: 100 };
    }
    if (passed) { marks.x = 1; }
    enqueue(passed ? "passed" : "failed", {
      categories: [CATEGORY_CMI5, CATEGORY_MOVEON],
      masteryScore: launchData && typeof launchData.masteryScore === "number" ? launchData.masteryScore : null,
      result: result
    });
  }

  var hooks = {
    quizScored: function (outcome) {
      outcome.answers.forEach(function (entry) {
        var text = itemResponse(entry.item, entry.answer);
        if (!text) { return; }
        enqueue("answered", {
          object: itemObject(entry.item),
          result: { response: text, success: entry.score === 1, completion: true,
                    score: { scaled: round4(entry.score), raw: entry.score, min: 0, max: 1 } }
        });
      });
      judge(outcome.passed, outcome.scaled, outcome.percent);
    },
    scenarioChoice: function (step) {
      enqueue("answered", {
        object: {
          objectType: "Activity",
          id: step.scenario.iri + "/node/" + encodeURIComponent(step.node),
          definition: {
            type: INTERACTION,
            description: described(step.nodeText),
            interactionType: "choice",
            choices: step.choices.map(function (c) { return { id: c.id, description: described(c.text) }; })
          }
        },
        parents: [step.scenario.iri],
        result: { response: step.choice.id, completion: true, score: { raw: step.choice.score } }
      });
    },
    scenarioEnded: function (step) {
      var graph = step.scenario.graph, section = document.getElementById("scenario-" + step.scenario.key);
      var title = section ? section.querySelector("h2").textContent.trim() : step.scenario.key;
      var maximum = graph.max_score || 1;
      enqueue("experienced", {
        object: {
          objectType: "Activity",
          id: step.scenario.iri,
          definition: { type: SIMULATION, name: described(title) }
        },
        parents: [launch.activityId],
        result: {
          score: { scaled: round4(Math.max(0, Math.min(1, step.run.score / maximum))),
                   raw: step.run.score, min: 0, max: graph.max_score },
          success: step.run.passed,
          completion: true
        }
      });
    },
    changed: function () {
      maybeCompleted();
      saveState(false);
    }
  };

  function terminate(leaving) {
    if (session.terminated || !session.ready) { return null; }
    saveState(leaving);
    var done = enqueue("terminated", {
      categories: [CATEGORY_CMI5],
      result: { duration: duration(new Date() - started) }
    }, leaving);
    session.terminated = true;
    var finishButton = document.getElementById("finish");
    if (finishButton) { finishButton.disabled = true; }
    return done;
  }

  /* What a saved progress owes the LMS: "passed" for a quiz passed after a "failed" in an
     earlier session, "completed" for material finished when it could not be sent. */
  function reconcile() {
    var progress = sco.progress();
    if (progress.q && progress.q[1] && !marks.x) {
      var scaled = progress.q[0] / 100;
      judge(true, scaled >= mastery ? scaled : null, progress.q[0]);
    }
    maybeCompleted();
  }

  /* Nothing to click until the saved progress is back and "initialized" is sent. */
  var main = document.querySelector("main");
  function usable(yes) { if (main) { main.inert = !yes; } }

  function start() {
    if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId) {
      status("This module must be launched from a cmi5 learning system.");
      return;
    }
    usable(false);
    var saved = "";
    queue = getToken().then(function (value) {
      token = value;
      return getState("LMS.LaunchData");
    }).then(function (text) {
      launchData = text ? JSON.parse(text) : {};
      if (typeof launchData.masteryScore === "number") { mastery = launchData.masteryScore; }
      sco.setMastery(mastery);
      return stateIds();
    }).then(function (ids) {
      return Array.isArray(ids) && ids.indexOf(STATE_ID) >= 0 ? getState(STATE_ID) : "";
    }).then(function (text) {
      saved = text;
      return send(statement("initialized", { categories: [CATEGORY_CMI5] }));
    }).then(function () {
      session.ready = true;
      if (saved) {
        var raw = sco.load(saved);
        marks.c = raw.c ? 1 : 0;
        marks.x = raw.x ? 1 : 0;
      }
      var before = JSON.stringify(marks);
      reconcile();
      if (JSON.stringify(marks) !== before) { saveState(false); }
      usable(true);
      document.body.setAttribute("data-cmi5", "ready");
    });
    queue = queue.catch(function (error) { usable(true); status(String(error)); });
  }

  sco = shared.create(hooks);
  var finish = document.getElementById("finish");
  if (finish) {
    finish.addEventListener("click", function () {
      var done = terminate(false);
      if (done) {
        done.then(function () {
          document.body.setAttribute("data-cmi5", "terminated");
          if (launchData && launchData.returnURL) { window.location.assign(launchData.returnURL); }
        });
      }
    });
  }
  window.addEventListener("pagehide", function () { terminate(true); });
  start();
}());
