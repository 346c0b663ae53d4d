/* cybercap SCORM 1.2 runtime for one module (SCO), over shared/sco.js (lessons, quiz,
   scenarios and progress). Finds the LMS API, restores where the learner was from
   cmi.suspend_data (the compact progress of sco.js, within 4,096 characters), and reports:

   - cmi.core.lesson_status: "passed" (a module with a quiz) or "completed" (without one) once
     the web's completion rules hold (lessons read, quiz passed at the mastery score, every
     scenario finished); "failed" while the quiz is taken but not passed; else "incomplete";
   - cmi.core.score.raw (0..100, the best quiz score) with the status it decides: at once when
     the quiz is failed, and when passed only once the module is complete, so that an LMS that
     derives the status from the masteryscore cannot pass a module whose scenario is unfinished;
   - one cmi.interactions.n per quiz item ("choice", "true-false", "sequencing", "matching"),
     one "choice" interaction per scenario choice (id "<scenario>.<node>", the response a
     single letter a-z for the choice's position, the result the choice's score, the weighting
     the best score at that node, the best choice as the correct response) and one
     "performance" interaction when a run ends (id the scenario, the response the path
     letters, the result the run's score, the weighting the scenario's maximum score);
     interactions are appended at cmi.interactions._count;
   - cmi.core.lesson_location, cmi.core.session_time, cmi.core.exit ("suspend" until complete). */
(function () {
  "use strict";
  var started = new Date();
  var api = null;
  var finished = false;
  var shared = window.cybercapSCO;
  var data = shared.data;

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

  var sco = null;

  function nextInteraction() {
    var count = parseInt(get("cmi.interactions._count"), 10);
    return "cmi.interactions." + (isNaN(count) ? 0 : count) + ".";
  }

  function report() {
    var progress = sco.progress();
    if (sco.complete()) {
      if (progress.q) {
        set("cmi.core.score.min", 0);
        set("cmi.core.score.max", 100);
        set("cmi.core.score.raw", progress.q[0]);
      }
      set("cmi.core.lesson_status", data.items.length ? "passed" : "completed");
    } else if (progress.q && !progress.q[1]) {
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", progress.q[0]);
      set("cmi.core.lesson_status", "failed");
    } else {
      set("cmi.core.lesson_status", "incomplete");
    }
  }

  function save() {
    var text = sco.save();
    if (text.length <= 4096) { set("cmi.suspend_data", text); }
    if (api) { api.LMSCommit(""); }
  }

  function response(item, answer) {
    if (item.type === "true_false") { return answer[0] === "true" ? "t" : "f"; }
    if (item.type === "matching") {
      return Object.keys(answer).map(function (k) { return k + "." + answer[k]; }).join(",");
    }
    return answer.join(",");
  }

  var hooks = {
    lessonRead: function (lesson) { set("cmi.core.lesson_location", lesson.key); },
    quizScored: function (result) {
      result.answers.forEach(function (entry) {
        var base = nextInteraction();
        set(base + "id", entry.item.key);
        set(base + "type", shared.TYPES[entry.item.type]);
        set(base + "student_response", response(entry.item, entry.answer));
        set(base + "result", entry.score === 1 ? "correct" : "wrong");
      });
    },
    scenarioChoice: function (step) {
      var best = 0, bestAt = 0, node = null, i;
      for (i = 0; i < step.scenario.graph.nodes.length; i += 1) {
        if (step.scenario.graph.nodes[i].id === step.node) { node = step.scenario.graph.nodes[i]; }
      }
      node.choices.forEach(function (choice, n) { if (choice.score > best) { best = choice.score; bestAt = n; } });
      var base = nextInteraction();
      set(base + "id", step.scenario.key + "." + step.node);
      set(base + "type", "choice");
      set(base + "weighting", best);
      set(base + "correct_responses.0.pattern", shared.LETTERS.charAt(bestAt));
      set(base + "student_response", step.letter);
      set(base + "result", step.choice.score >= 0 ? step.choice.score : "wrong");
      set("cmi.core.lesson_location", step.scenario.key);
    },
    scenarioEnded: function (step) {
      var base = nextInteraction();
      set(base + "id", step.scenario.key);
      set(base + "type", "performance");
      set(base + "weighting", step.scenario.graph.max_score);
      set(base + "student_response", sco.progress().s[step.index][1]);
      set(base + "result", step.run.score);
    },
    changed: function () { report(); save(); }
  };

  function finish() {
    if (finished || !api) { return; }
    finished = true;
    set("cmi.core.session_time", sessionTime());
    set("cmi.core.exit", sco.complete() ? "" : "suspend");
    api.LMSCommit("");
    api.LMSFinish("");
  }

  sco = shared.create(hooks);
  api = getAPI();
  if (api) {
    api.LMSInitialize("");
    var saved = get("cmi.suspend_data");
    if (saved) { sco.load(saved); }
    if (get("cmi.core.lesson_status") === "not attempted") {
      set("cmi.core.lesson_status", "incomplete");
    }
  }
  var done = document.getElementById("finish");
  if (done) { done.addEventListener("click", finish); }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
}());
