/* cybercap module page runtime shared by the SCORM 1.2 (scorm.js) and cmi5 (cmi5.js) packages.

   It plays the page's lessons, quiz and branching scenarios and keeps the module's progress;
   the standard runtime loaded after it reports that progress to the LMS through the hooks it
   passes to window.cybercapSCO.create(hooks).

   - Quiz scoring: the same rules as cybercap.quizzes.scoring.
   - Scenarios: the same rules as cybercap.elearning.services.apply_choice (and the content
     check), over the same parsed graph (scorm.scenario_runtime_graph): a choice's effects are
     added and clamped to each variable's range, its flags accumulate, then the first route
     whose condition holds (flag, not_flag, variable below / at_least) is taken; the run's score
     is the sum of its choices' scores and it passes at the scenario's pass score.
   - Completion: the web's module rules: every lesson read, the quiz passed at the mastery
     score, every scenario finished (a run reached an end).
   - Saved progress, compact (ids as indices, never text):
       {"r": [lesson indices read], "q": [best quiz %, 1 if passed], "s": [[finished 0/1,
        "path"] per scenario], "w": [where: 0 lesson / 1 scenario / 2 quiz, its index]}
     a path is one letter per choice made in the current run ("acb": the first, third, second
     choice); the node, variables, flags and score are found again by replaying it. */
(function () {
  "use strict";
  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var data = JSON.parse(document.getElementById("sco-data").textContent);
  data.scenarios = data.scenarios || [];

  /* ------------------------------------------------------------------ quiz */
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

  /* ------------------------------------------------------------------ scenario engine */
  function nodeOf(graph, id) {
    for (var i = 0; i < graph.nodes.length; i += 1) { if (graph.nodes[i].id === id) { return graph.nodes[i]; } }
    return null;
  }

  function initialState(graph) {
    var variables = {};
    Object.keys(graph.variables).forEach(function (name) { variables[name] = graph.variables[name].initial; });
    return { variables: variables, flags: [] };
  }

  function passes(cond, state) {
    if (cond.flag != null && state.flags.indexOf(cond.flag) < 0) { return false; }
    if (cond.not_flag != null && state.flags.indexOf(cond.not_flag) >= 0) { return false; }
    if (cond.variable != null) {
      var value = state.variables[cond.variable];
      if (cond.below != null && !(value < cond.below)) { return false; }
      if (cond.at_least != null && !(value >= cond.at_least)) { return false; }
    }
    return true;
  }

  /* services.apply_choice: {target, state, choice}; throws on a choice not offered. */
  function applyChoice(graph, state, nodeId, choiceId) {
    var node = nodeOf(graph, nodeId), choice = null, i;
    if (!node || node.end) { throw new Error("no choice at " + nodeId); }
    for (i = 0; i < node.choices.length; i += 1) { if (node.choices[i].id === choiceId) { choice = node.choices[i]; } }
    if (!choice) { throw new Error("no choice " + choiceId); }
    var variables = {};
    Object.keys(state.variables).forEach(function (name) { variables[name] = state.variables[name]; });
    Object.keys(choice.effects).forEach(function (name) {
      var spec = graph.variables[name];
      variables[name] = Math.max(spec.min, Math.min(spec.max, variables[name] + choice.effects[name]));
    });
    var flags = state.flags.slice();
    choice.set_flags.forEach(function (flag) { if (flags.indexOf(flag) < 0) { flags.push(flag); } });
    flags.sort();
    var next = { variables: variables, flags: flags }, target = null;
    if (typeof choice.next === "string") {
      target = choice.next;
    } else {
      for (i = 0; i < choice.next.length && target === null; i += 1) {
        if (choice.next[i].when == null || passes(choice.next[i].when, next)) { target = choice.next[i].to; }
      }
    }
    return { target: target, state: next, choice: choice };
  }

  /* A run replayed from its path of letters; null when the path no longer fits the graph. */
  function replay(graph, path) {
    var run = { node: graph.start, state: initialState(graph), score: 0, steps: [] }, i;
    for (i = 0; i < path.length; i += 1) {
      var node = nodeOf(graph, run.node), k = LETTERS.indexOf(path.charAt(i));
      if (!node || node.end || k < 0 || k >= node.choices.length) { return null; }
      var out = applyChoice(graph, run.state, run.node, node.choices[k].id);
      run.steps.push({ node: run.node, choice: out.choice.id, index: k, score: out.choice.score });
      run.score += out.choice.score;
      run.state = out.state;
      run.node = out.target;
    }
    var at = nodeOf(graph, run.node);
    run.ended = !!(at && at.end);
    run.outcome = run.ended ? at.outcome : "";
    run.passed = run.ended && run.score >= graph.pass_score;
    return run;
  }

  /* ------------------------------------------------------------------ saved progress */
  function fresh() {
    return { r: [], q: null, s: data.scenarios.map(function () { return [0, ""]; }) };
  }

  /* The progress from its saved text (and the raw object, for the runtime's own marks). */
  function decode(text) {
    var progress = fresh(), raw = null, i;
    try { raw = text ? JSON.parse(text) : null; } catch (e) { raw = null; }
    if (!raw || typeof raw !== "object") { return { progress: progress, raw: {} }; }
    var read = raw.r;
    if (Array.isArray(raw.read)) {  /* the first format kept lesson keys */
      read = raw.read.map(function (key) { return data.lessons.indexOf(key); });
    }
    if (Array.isArray(read)) {
      read.forEach(function (n) {
        if (typeof n === "number" && n >= 0 && n < data.lessons.length && progress.r.indexOf(n) < 0) {
          progress.r.push(n);
        }
      });
    }
    if (Array.isArray(raw.q) && raw.q.length === 2) { progress.q = [Number(raw.q[0]) || 0, raw.q[1] ? 1 : 0]; }
    if (Array.isArray(raw.w) && raw.w.length === 2 && typeof raw.w[0] === "number" && typeof raw.w[1] === "number") {
      progress.w = [raw.w[0], raw.w[1]];
    }
    if (Array.isArray(raw.s)) {
      for (i = 0; i < data.scenarios.length && i < raw.s.length; i += 1) {
        var kept = raw.s[i];
        if (Array.isArray(kept) && typeof kept[1] === "string") {
          var ok = replay(data.scenarios[i].graph, kept[1]) !== null;
          progress.s[i] = [kept[0] ? 1 : 0, ok ? kept[1] : ""];
        }
      }
    }
    return { progress: progress, raw: raw };
  }

  function encode(progress, extra) {
    var out = { r: progress.r, s: progress.s };
    if (progress.q) { out.q = progress.q; }
    if (progress.w) { out.w = progress.w; }
    Object.keys(extra || {}).forEach(function (key) { out[key] = extra[key]; });
    return JSON.stringify(out);
  }

  /* ------------------------------------------------------------------ the page */
  function create(hooks) {
    var progress = fresh(), mastery = data.mastery;
    function emit(name, value) { if (hooks[name]) { hooks[name](value); } }

    function lessonsRead() { return progress.r.length >= data.lessons.length; }
    function scenariosFinished() {
      return progress.s.every(function (kept) { return kept[0] === 1; });
    }
    /* Everything experienced: lessons read, the quiz taken, every scenario finished. */
    function materialDone() { return lessonsRead() && scenariosFinished() && (!data.items.length || !!progress.q); }
    /* The web's module completion: the quiz must also be passed. */
    function complete() { return materialDone() && (!data.items.length || (!!progress.q && progress.q[1] === 1)); }

    /* lessons */
    var buttons = document.querySelectorAll("button[data-lesson]");
    function showLessons() {
      for (var b = 0; b < buttons.length; b += 1) {
        buttons[b].disabled = progress.r.indexOf(data.lessons.indexOf(buttons[b].getAttribute("data-lesson"))) >= 0;
      }
    }
    function markRead(event) {
      var key = event.target.getAttribute("data-lesson"), n = data.lessons.indexOf(key);
      if (n >= 0 && progress.r.indexOf(n) < 0) { progress.r.push(n); }
      if (n >= 0) { progress.w = [0, n]; }
      event.target.disabled = true;
      emit("lessonRead", { key: key, index: n });
      emit("changed");
    }

    /* quiz */
    function submitQuiz(event) {
      event.preventDefault();
      var form = event.target, total = 0, answers = [], n;
      for (n = 0; n < data.items.length; n += 1) {
        var item = data.items[n], answer = readAnswer(form, item), score = scoreItem(item, answer);
        total += score;
        answers.push({ item: item, answer: answer, score: score });
        var box = document.getElementById("explain-" + item.key);
        if (box) { box.hidden = false; }
      }
      var scaled = data.items.length ? total / data.items.length : 0;
      var percent = Math.round(100 * scaled), passed = scaled >= mastery;
      var best = progress.q ? progress.q[0] : -1;
      progress.w = [2, 0];
      progress.q = [Math.max(best, percent), (progress.q && progress.q[1]) || passed ? 1 : 0];
      var out = document.getElementById("quiz-result");
      if (out) { out.textContent = percent + "%"; }
      emit("quizScored", { answers: answers, scaled: scaled, percent: percent, passed: passed, form: form });
      emit("changed");
    }

    /* scenarios */
    var players = [];
    function Player(section, index) {
      var scenario = data.scenarios[index], graph = scenario.graph, run = null;
      function part(selector) { return section.querySelector(selector); }
      function nodeBox(id) { return section.querySelector("[data-node='" + id + "']"); }
      function feedback(step) {
        var el = section.querySelector("[data-fb='" + step.node + "/" + step.choice + "']");
        return el ? el.textContent : "";
      }
      function render() {
        run = replay(graph, progress.s[index][1]);
        if (!run) { progress.s[index][1] = ""; run = replay(graph, ""); }
        var boxes = section.querySelectorAll("[data-node]"), i;
        for (i = 0; i < boxes.length; i += 1) {
          var shown = boxes[i].getAttribute("data-node") === run.node;
          boxes[i].hidden = !shown;
          var form = boxes[i].querySelector("form");
          if (form && !shown) { form.reset(); }
        }
        var vars = section.querySelectorAll("[data-var]");
        for (i = 0; i < vars.length; i += 1) { vars[i].textContent = String(run.state.variables[vars[i].getAttribute("data-var")]); }
        var last = run.steps.length ? run.steps[run.steps.length - 1] : null;
        part("[data-feedback]").hidden = !last;
        part("[data-feedback-text]").textContent = last ? feedback(last) : "";
        part("[data-debrief]").hidden = !run.ended;
        var list = part("[data-path]");
        while (list.firstChild) { list.removeChild(list.firstChild); }
        if (run.ended) {
          var end = nodeBox(run.node);
          end.querySelector("[data-score]").textContent = String(run.score);
          end.querySelector("[data-passed]").hidden = !run.passed;
          end.querySelector("[data-not-passed]").hidden = run.passed;
          run.steps.forEach(function (step) {
            var li = document.createElement("li");
            li.textContent = feedback(step);
            list.appendChild(li);
          });
        }
        section.setAttribute("data-at", run.node);
      }
      function choose(event) {
        event.preventDefault();
        var picked = event.target.querySelector("input[type=radio]:checked");
        if (!picked || run.ended) { return; }
        var k = Number(picked.value), from = run.node, node = nodeOf(graph, from);
        var box = nodeBox(from), labels = box.querySelectorAll("[data-choice-text]");
        progress.s[index][1] += LETTERS.charAt(k);
        progress.w = [1, index];
        render();
        if (run.ended) { progress.s[index][0] = 1; }
        var step = {
          scenario: scenario, index: index, node: from, choice: node.choices[k], letter: LETTERS.charAt(k),
          step: run.steps.length - 1, run: run,
          nodeText: box.querySelector("[data-node-text]").textContent.trim(),
          choices: node.choices.map(function (c, n) { return { id: c.id, text: labels[n].textContent.trim() }; })
        };
        emit("scenarioChoice", step);
        if (run.ended) { emit("scenarioEnded", step); }
        emit("changed");
      }
      var forms = section.querySelectorAll("form[data-choose]"), f;
      for (f = 0; f < forms.length; f += 1) { forms[f].addEventListener("submit", choose); }
      part("[data-replay]").addEventListener("click", function () {
        progress.s[index][1] = "";
        render();
        emit("changed");
      });
      return { render: render, run: function () { return run; } };
    }

    var b;
    for (b = 0; b < buttons.length; b += 1) { buttons[b].addEventListener("click", markRead); }
    var quiz = document.getElementById("quiz");
    if (quiz) { quiz.addEventListener("submit", submitQuiz); }
    var sections = document.querySelectorAll("section[data-scenario]");
    for (b = 0; b < sections.length; b += 1) {
      players.push(new Player(sections[b], Number(sections[b].getAttribute("data-scenario"))));
    }
    /* Back to the place the learner was at: the lesson, scenario or quiz last worked on. */
    function where() {
      var w = progress.w, target = null;
      if (!w) { return; }
      if (w[0] === 0 && data.lessons[w[1]]) { target = document.getElementById(data.lessons[w[1]]); }
      if (w[0] === 1 && data.scenarios[w[1]]) { target = document.getElementById("scenario-" + data.scenarios[w[1]].key); }
      if (w[0] === 2) { target = document.getElementById("quiz-section"); }
      if (target && target.scrollIntoView) {
        target.scrollIntoView();
        document.body.setAttribute("data-resumed-at", target.id);
      }
    }
    function showAll() {
      showLessons();
      players.forEach(function (player) { player.render(); });
      if (progress.q) {
        var out = document.getElementById("quiz-result");
        if (out && !out.textContent) { out.textContent = progress.q[0] + "%"; }
      }
    }
    showAll();

    return {
      data: data,
      progress: function () { return progress; },
      /* Restore saved progress; returns the raw saved object (the runtime's own marks). */
      load: function (text) {
        var kept = decode(text);
        progress = kept.progress;
        showAll();
        where();
        return kept.raw;
      },
      save: function (extra) { return encode(progress, extra); },
      setMastery: function (value) { mastery = value; },
      lessonsRead: lessonsRead,
      materialDone: materialDone,
      complete: complete
    };
  }

  window.cybercapSCO = {
    LETTERS: LETTERS,
    data: data,
    TYPES: TYPES,
    scoreItem: scoreItem,
    readAnswer: readAnswer,
    applyChoice: applyChoice,
    replay: replay,
    decode: decode,
    encode: encode,
    create: create
  };
}());
