/* cybercap SCORM 1.2 runtime for one module (SCO). Finds the LMS API, restores where the
   learner was (cmi.suspend_data), scores the module quiz with the platform's rules, reports
   lesson_status, score, session_time and one interaction per item, and finishes cleanly. */
(function () {
  "use strict";
  var started = new Date();
  var api = null;
  var finished = false;

  function findAPI(win) {
    var tries = 0;
    while (win && !win.API && win.parent && win.parent !== win && tries < 10) {
      tries += 1;
      win = win.parent;
    }
    return win && win.API ? win.API : null;
  }
  function getAPI() {
    var found = findAPI(window);
    if (!found && window.opener) { found = findAPI(window.opener); }
    return found;
  }
  function set(name, value) { if (api) { api.LMSSetValue(name, String(value)); } }
  function get(name) { return api ? String(api.LMSGetValue(name) || "") : ""; }

  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }
  function sessionTime() {
    var seconds = Math.max(0, Math.round((new Date() - started) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(s, 2);
  }

  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var state = { read: [], done: false };

  function save() {
    var text = JSON.stringify(state);
    if (text.length <= 4096) { set("cmi.suspend_data", text); }
    if (api) { api.LMSCommit(""); }
  }

  /* Scoring: the same rules as cybercap.quizzes.scoring. */
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

  function response(item, answer) {
    if (item.type === "true_false") { return answer[0] === "true" ? "t" : "f"; }
    if (item.type === "matching") {
      return Object.keys(answer).map(function (k) { return k + "." + answer[k]; }).join(",");
    }
    return answer.join(",");
  }

  function submitQuiz(event) {
    event.preventDefault();
    var form = event.target, total = 0, n;
    for (n = 0; n < data.items.length; n += 1) {
      var item = data.items[n], answer = readAnswer(form, item), score = scoreItem(item, answer);
      total += score;
      var base = "cmi.interactions." + n + ".";
      set(base + "id", item.key);
      set(base + "type", TYPES[item.type]);
      set(base + "student_response", response(item, answer));
      set(base + "result", score === 1 ? "correct" : "wrong");
      var box = document.getElementById("explain-" + item.key);
      if (box) { box.hidden = false; }
    }
    var percent = data.items.length ? Math.round(100 * total / data.items.length) : 0;
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", percent);
    set("cmi.core.lesson_status", percent >= data.mastery * 100 ? "passed" : "failed");
    state.done = true;
    document.getElementById("quiz-result").textContent = percent + "%";
    save();
  }

  function markRead(event) {
    var lesson = event.target.getAttribute("data-lesson");
    if (state.read.indexOf(lesson) < 0) { state.read.push(lesson); }
    event.target.disabled = true;
    set("cmi.core.lesson_location", lesson);
    if (!data.items.length && state.read.length >= data.lessons.length) {
      set("cmi.core.lesson_status", "completed");
      state.done = true;
    }
    save();
  }

  function finish() {
    if (finished || !api) { return; }
    finished = true;
    set("cmi.core.session_time", sessionTime());
    set("cmi.core.exit", state.done ? "" : "suspend");
    api.LMSCommit("");
    api.LMSFinish("");
  }

  api = getAPI();
  if (api) {
    api.LMSInitialize("");
    var saved = get("cmi.suspend_data");
    if (saved) { try { state = JSON.parse(saved); } catch (e) { state = { read: [], done: false }; } }
    if (get("cmi.core.lesson_status") === "not attempted") {
      set("cmi.core.lesson_status", "incomplete");
    }
  }
  var buttons = document.querySelectorAll("button[data-lesson]"), b;
  for (b = 0; b < buttons.length; b += 1) {
    if (state.read.indexOf(buttons[b].getAttribute("data-lesson")) >= 0) { buttons[b].disabled = true; }
    buttons[b].addEventListener("click", markRead);
  }
  var quiz = document.getElementById("quiz");
  if (quiz) { quiz.addEventListener("submit", submitQuiz); }
  var done = document.getElementById("finish");
  if (done) { done.addEventListener("click", finish); }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
}());
