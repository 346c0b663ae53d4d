/* cybercap cmi5 runtime for one module (assignable unit).

   The cmi5 launch sequence: read endpoint, fetch, actor, registration and activityId from the
   launch URL; POST the fetch URL once for the authorization token (kept in sessionStorage, so a
   reload does not fetch it again); GET the LMS.LaunchData state document; send "initialized"
   first; then "answered" per quiz item, "passed" or "failed" against the mastery score,
   "completed" once every lesson is read (and the quiz taken); "terminated" last. Statements are
   sent one after another, in order. */
(function () {
  "use strict";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY_EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var started = new Date();
  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var params = new URLSearchParams(window.location.search);
  var launch = {
    endpoint: params.get("endpoint") || "",
    fetch: params.get("fetch") || "",
    actor: params.get("actor") || "",
    registration: params.get("registration") || "",
    activityId: params.get("activityId") || ""
  };
  var state = { read: [], quizDone: false, passed: false, completed: false, terminated: false };
  var token = null, launchData = null, queue = null, mastery = data.mastery;

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

  /* The fetch URL gives the token once: POST it only when this session has none yet. */
  function getToken() {
    var key = "cmi5-token:" + launch.registration + ":" + launch.activityId;
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

  function getLaunchData() {
    var query = new URLSearchParams({
      stateId: "LMS.LaunchData",
      activityId: launch.activityId,
      agent: launch.actor,
      registration: launch.registration
    });
    return window.fetch(endpointUrl("activities/state?" + query.toString()), {
      method: "GET", headers: headers()
    }).then(function (response) {
      if (!response.ok) { throw new Error("LMS.LaunchData: HTTP " + response.status); }
      return response.json();
    });
  }

  function context(categories, masteryScore) {
    var ctx = JSON.parse(JSON.stringify(launchData.contextTemplate || {}));
    if (typeof masteryScore === "number") {
      ctx.extensions = ctx.extensions || {};
      ctx.extensions[MASTERY_EXTENSION] = masteryScore;
    }
    ctx.registration = launch.registration;
    if (document.documentElement.lang) { ctx.language = document.documentElement.lang; }
    if (categories.length) {
      ctx.contextActivities = ctx.contextActivities || {};
      var list = ctx.contextActivities.category || [];
      if (!Array.isArray(list)) { list = [list]; }
      categories.forEach(function (id) { list.push({ objectType: "Activity", id: id }); });
      ctx.contextActivities.category = list;
    }
    return ctx;
  }

  function statement(verb, options) {
    var body = {
      id: uuid(),
      actor: JSON.parse(launch.actor),
      verb: { id: VERBS + verb, display: { "en-US": verb } },
      object: options.object || { objectType: "Activity", id: launch.activityId },
      context: context(options.categories || [], options.masteryScore),
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

  /* Statements go one after another, in the order they were made. */
  function enqueue(verb, options, keepalive) {
    queue = queue.then(function () { return send(statement(verb, options), keepalive); });
    queue = queue.catch(function (error) { status(String(error)); });
    return queue;
  }

  var normal = function () { return !launchData || !launchData.launchMode || launchData.launchMode === "Normal"; };

  /* Scoring: the same rules as cybercap.quizzes.scoring (and the SCORM runtime). */
  function scoreItem(item, answer) {
    var key = item.correct, i, j;
    if (item.type === "single" || item.type === "true_false") {
      return answer.length === 1 && answer[0] === key[0] ? 1 : 0;
    }
    if (item.type === "multiple") {
      var right = 0, wrong = 0;
      for (i = 0; i < answer.length; i += 1) {
        if (key.indexOf(answer[i]) >= 0) { right += 1; } else { wrong += 1; }
      }
      return Math.max(0, (right - wrong) / key.length);
    }
    if (item.type === "ordering") {
      if (answer.length !== key.length) { return 0; }
      for (i = 0; i < key.length; i += 1) { if (answer.indexOf(key[i]) < 0) { return 0; } }
      if (key.length < 2) { return 1; }
      var agree = 0, pairs = 0;
      for (i = 0; i < key.length; i += 1) {
        for (j = i + 1; j < key.length; j += 1) {
          pairs += 1;
          if (answer.indexOf(key[i]) < answer.indexOf(key[j])) { agree += 1; }
        }
      }
      return agree / pairs;
    }
    var names = Object.keys(key), hits = 0;
    for (i = 0; i < names.length; i += 1) { if (answer[names[i]] === key[names[i]]) { hits += 1; } }
    return hits / names.length;
  }

  function readAnswer(form, item) {
    var i, el;
    if (item.type === "ordering" || item.type === "matching") {
      var values = {};
      for (i = 0; i < item.options.length; i += 1) {
        el = form.elements["i-" + item.key + "-" + item.options[i]];
        values[item.options[i]] = el ? el.value : "";
      }
      if (item.type === "matching") { return values; }
      return item.options.slice().sort(function (a, b) {
        return Number(values[a] || 99) - Number(values[b] || 99);
      });
    }
    var chosen = [], inputs = form.querySelectorAll("[name='i-" + item.key + "']");
    for (i = 0; i < inputs.length; i += 1) { if (inputs[i].checked) { chosen.push(inputs[i].value); } }
    return chosen;
  }

  var TYPES = { single: "choice", multiple: "choice", true_false: "true-false",
                ordering: "sequencing", matching: "matching" };

  /* xAPI interaction responses: "a[,]b", "true", "src[.]tgt[,]src[.]tgt". */
  function response(item, answer) {
    if (item.type === "true_false") { return answer.length ? (answer[0] === "true" ? "true" : "false") : ""; }
    if (item.type === "matching") {
      return Object.keys(answer).sort().filter(function (k) { return answer[k]; })
        .map(function (k) { return k + "[.]" + answer[k]; }).join("[,]");
    }
    return answer.join("[,]");
  }

  function itemObject(item) {
    var definition = {
      type: "http://adlnet.gov/expapi/activities/cmi.interaction",
      interactionType: TYPES[item.type],
      correctResponsesPattern: [item.pattern]
    };
    var components = item.options.map(function (id) { return { id: id }; });
    if (item.type === "matching") { definition.source = components; }
    else if (item.type !== "true_false") { definition.choices = components; }
    return { objectType: "Activity", id: item.iri, definition: definition };
  }

  function maybeCompleted() {
    if (state.completed || state.terminated || !normal()) { return; }
    if (state.read.length < data.lessons.length) { return; }
    if (data.items.length && !state.quizDone) { return; }
    state.completed = true;
    enqueue("completed", {
      categories: [CATEGORY_CMI5, CATEGORY_MOVEON],
      result: { completion: true, duration: duration(new Date() - started) }
    });
  }

  function submitQuiz(event) {
    event.preventDefault();
    if (state.passed || state.terminated) { return; }
    var form = event.target, total = 0, n;
    for (n = 0; n < data.items.length; n += 1) {
      var item = data.items[n], answer = readAnswer(form, item), score = scoreItem(item, answer);
      var text = response(item, answer);
      total += score;
      if (text) {
        enqueue("answered", {
          object: itemObject(item),
          result: { response: text, success: score === 1, completion: true,
                    score: { scaled: Math.round(score * 10000) / 10000, raw: score, min: 0, max: 1 } }
        });
      }
      var box = document.getElementById("explain-" + item.key);
      if (box) { box.hidden = false; }
    }
    var scaled = data.items.length ? total / data.items.length : 0;
    var percent = Math.round(100 * scaled);
    status(percent + "%");
    state.quizDone = true;
    if (mastery > 0 && normal()) {
      var passed = scaled >= mastery;
      state.passed = passed;
      enqueue(passed ? "passed" : "failed", {
        categories: [CATEGORY_CMI5, CATEGORY_MOVEON],
        masteryScore: typeof launchData.masteryScore === "number" ? launchData.masteryScore : null,
        result: {
          score: { scaled: Math.round(scaled * 10000) / 10000, raw: percent, min: 0, max: 100 },
          success: passed, duration: duration(new Date() - started)
        }
      });
      if (passed) {
        var button = form.querySelector("button[type=submit]");
        if (button) { button.disabled = true; }
      }
    }
    maybeCompleted();
  }

  function markRead(event) {
    var lesson = event.target.getAttribute("data-lesson");
    if (state.read.indexOf(lesson) < 0) { state.read.push(lesson); }
    event.target.disabled = true;
    maybeCompleted();
  }

  function terminate(leaving) {
    if (state.terminated || !queue) { return queue; }
    state.terminated = true;
    var done = enqueue("terminated", {
      categories: [CATEGORY_CMI5],
      result: { duration: duration(new Date() - started) }
    }, leaving);
    var finishButton = document.getElementById("finish");
    if (finishButton) { finishButton.disabled = true; }
    return done;
  }

  function start() {
    if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId) {
      status("This module must be launched from a cmi5 learning system.");
      return;
    }
    queue = getToken().then(function (value) {
      token = value;
      return getLaunchData();
    }).then(function (body) {
      launchData = body || {};
      if (typeof launchData.masteryScore === "number") { mastery = launchData.masteryScore; }
      return send(statement("initialized", { categories: [CATEGORY_CMI5] }));
    });
    queue = queue.catch(function (error) { status(String(error)); });
  }

  var buttons = document.querySelectorAll("button[data-lesson]"), b;
  for (b = 0; b < buttons.length; b += 1) { buttons[b].addEventListener("click", markRead); }
  var quiz = document.getElementById("quiz");
  if (quiz) { quiz.addEventListener("submit", submitQuiz); }
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
