"""Every SCO of the SCORM 1.2 export played in Chromium against scorm-again's ``Scorm12API``
(the npm package pinned in package.json, an independent implementation of the SCORM 1.2
runtime), as ``window.API`` of a test page that holds the SCO in a frame. The assertions read
what scorm-again holds afterwards."""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Frame, Page

from cybercap.elearning.models import Course, Scenario
from cybercap.elearning.scorm import check_package, export_scorm12
from cybercap.elearning.services import apply_choice, initial_state
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]

SCORM_AGAIN = Path(__file__).resolve().parents[2] / "node_modules/scorm-again/dist/scorm12.js"
SESSION_TIME = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")

HARNESS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="/scorm-again/scorm12.js"></script>
</head><body>
<iframe id="sco" title="SCO" width="1000" height="700"></iframe>
<script src="/harness.js"></script>
</body></html>
"""
# scorm-again's Scorm12API is the LMS: made before the SCO loads, optionally with the values a
# previous session left (resume), then the SCO is put in the frame.
HARNESS_JS = """(function () {
  var params = new URLSearchParams(window.location.search);
  var api = new Scorm12API({ autocommit: false });
  var resume = params.get("resume");
  if (resume) { api.loadFromJSON(JSON.parse(resume)); }
  window.finished = false;
  api.on("LMSFinish", function () { window.finished = true; });
  window.API = api;
  document.getElementById("sco").src = params.get("sco");
}());
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The package and the harness on a local HTTP server; the package's SCO data per module."""
    yield from _serve(request, django_db_blocker, tmp_path_factory, None)


@pytest.fixture(scope="module", params=["id", "th", "vi"])
def served_translated(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The same, for the package in each translated language (``--language``)."""
    yield from _serve(request, django_db_blocker, tmp_path_factory, request.param)


def _serve(
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    language: str | None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    request.getfixturevalue("loaded_course")
    if not SCORM_AGAIN.exists():
        pytest.fail(f"{SCORM_AGAIN} is missing: run `npm ci` (make test does)")
    with django_db_blocker.unblock():
        data = export_scorm12(Course.objects.get(key=COURSE_KEY), language=language)
    assert check_package(data) == []
    if language is not None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            page = archive.read(next(n for n in archive.namelist() if n.endswith("index.html")))
        assert f'lang="{language}"'.encode() in page
    root = tmp_path_factory.mktemp("scorm-lms")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(root / "pkg")
    (root / "scorm-again").mkdir()
    shutil.copy(SCORM_AGAIN, root / "scorm-again/scorm12.js")
    (root / "harness.html").write_text(HARNESS_HTML, encoding="utf-8")
    (root / "harness.js").write_text(HARNESS_JS, encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")
    scos: dict[str, Any] = {}
    for page in sorted((root / "pkg").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        payload = html.split('id="sco-data">', 1)[1].split("</script>", 1)[0]
        scos[page.parent.name] = json.loads(payload)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", scos
    server.shutdown()
    server.server_close()


def _open(page: Page, base: str, module: str, resume: dict[str, Any] | None = None) -> Frame:
    query = {"sco": f"/pkg/{module}/index.html"}
    if resume is not None:
        query["resume"] = json.dumps(resume)
    page.goto(f"{base}/harness.html?{urlencode(query)}")
    page.wait_for_function("window.API && window.API.isInitialized()")
    frame = page.frame_locator("#sco")
    frame.locator("#finish").wait_for()
    found = next(f for f in page.frames if f.url.endswith(f"/pkg/{module}/index.html"))
    return found


def _answer_right(frame: Frame, item: dict[str, Any]) -> None:
    key, correct = item["key"], item["correct"]
    if item["type"] in ("single", "true_false", "multiple"):
        for option in correct:
            frame.locator(f"input[name='i-{key}'][value='{option}']").check()
    elif item["type"] == "ordering":
        for position, option in enumerate(correct, start=1):
            frame.locator(f"select[name='i-{key}-{option}']").select_option(str(position))
    else:
        for option, target in correct.items():
            frame.locator(f"select[name='i-{key}-{option}']").select_option(target)


def _cmi(page: Page) -> dict[str, Any]:
    """What scorm-again holds: the CMI it would commit at the end of the session (the
    write-only session time included)."""
    held: dict[str, Any] = page.evaluate(
        "() => ({cmi: window.API.renderCommitCMI(true).cmi,"
        " finished: window.finished, error: String(window.API.lastErrorCode)})"
    )
    held["session_time"] = held["cmi"]["core"]["session_time"]
    return held


def test_every_sco_reports_to_scorm_again(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    _every_sco_reports(page, served, course)


def test_every_sco_in_each_translated_language_reports_to_scorm_again(
    page: Page, served_translated: tuple[str, dict[str, Any]], course: Course
) -> None:
    """The same independent check for the packages in Indonesian, Thai and Vietnamese."""
    _every_sco_reports(page, served_translated, course)


def _every_sco_reports(page: Page, served: tuple[str, dict[str, Any]], course: Course) -> None:
    base, scos = served
    modules = list(course.modules.order_by("position"))
    assert sorted(scos) == sorted(m.key for m in modules)
    for module in modules:
        data = scos[module.key]
        frame = _open(page, base, module.key)
        for button in frame.locator("button[data-lesson]").all():
            button.click()
        for item in data["items"]:
            _answer_right(frame, item)
        if data["items"]:
            frame.locator("#quiz button[type=submit]").click()
        paths = [_play(frame, scenario, lambda node: 0) for scenario in data["scenarios"]]
        frame.locator("#finish").click()
        page.wait_for_function("window.finished === true")
        held = _cmi(page)
        cmi = held["cmi"]
        core = cmi["core"]
        assert held["finished"] is True
        assert held["error"] == "0", (module.key, held["error"])
        assert SESSION_TIME.match(held["session_time"]), held["session_time"]
        assert core["exit"] == ""
        suspend = cmi["suspend_data"]
        assert 0 < len(suspend) < 4096
        saved = json.loads(suspend)
        assert saved["r"] == list(range(len(data["lessons"])))
        assert saved["s"] == [[1, path] for path in paths]
        if data["scenarios"]:
            assert core["lesson_location"] == data["scenarios"][-1]["key"]
        else:
            assert core["lesson_location"] == data["lessons"][-1]
        if data["items"]:
            assert saved["q"] == [100, 1]
            assert core["lesson_status"] == "passed", module.key
            assert core["score"]["raw"] == "100"
            assert core["score"]["min"] == "0" and core["score"]["max"] == "100"
            interactions = cmi["interactions"]
            assert len(interactions) == len(data["items"]) + sum(len(path) + 1 for path in paths)
            for n, item in enumerate(data["items"]):
                interaction = interactions[str(n)]
                assert interaction["id"] == item["key"]
                assert (
                    interaction["type"]
                    == {
                        "single": "choice",
                        "multiple": "choice",
                        "true_false": "true-false",
                        "ordering": "sequencing",
                        "matching": "matching",
                    }[item["type"]]
                )
                assert interaction["student_response"]
                assert interaction["result"] == "correct"
        else:
            assert core["lesson_status"] == "completed", module.key
            assert core["score"]["raw"] == ""


def test_a_wrong_answer_fails_below_the_mastery_score(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    base, scos = served
    module = course.modules.exclude(quiz=None).filter(mastery__gt=0).order_by("position").first()
    assert module is not None
    data = scos[module.key]
    frame = _open(page, base, module.key)
    frame.locator("#quiz button[type=submit]").click()  # nothing ticked, drop-downs as they are
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    cmi = _cmi(page)["cmi"]
    assert cmi["core"]["lesson_status"] == "failed"
    assert int(cmi["core"]["score"]["raw"]) < round(100 * module.mastery)
    results = [i["result"] for i in cmi["interactions"].values()]
    assert len(results) == len(data["items"]) and "wrong" in results


def test_a_sco_resumes_from_suspend_data(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    base, scos = served
    module = next(key for key, data in scos.items() if len(data["lessons"]) >= 2)
    lessons = scos[module]["lessons"]
    frame = _open(page, base, module)
    frame.locator(f"button[data-lesson='{lessons[0]}']").click()
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    first = _cmi(page)["cmi"]
    assert first["core"]["exit"] == "suspend"
    assert first["core"]["lesson_status"] == "incomplete"
    saved = json.loads(first["suspend_data"])
    assert saved == {"r": [0], "s": [[0, ""] for _ in scos[module]["scenarios"]], "w": [0, 0]}

    # The next session: the LMS hands back what scorm-again held, with entry "resume".
    resume = {
        "core": {
            "entry": "resume",
            "lesson_status": first["core"]["lesson_status"],
            "lesson_location": first["core"]["lesson_location"],
        },
        "suspend_data": first["suspend_data"],
    }
    frame = _open(page, base, module, resume=resume)
    assert frame.locator("body").get_attribute("data-resumed-at") == lessons[0]
    assert frame.locator(f"button[data-lesson='{lessons[0]}']").is_disabled()
    assert frame.locator(f"button[data-lesson='{lessons[1]}']").is_enabled()
    frame.locator(f"button[data-lesson='{lessons[1]}']").click()
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    second = _cmi(page)["cmi"]
    assert json.loads(second["suspend_data"])["r"] == [0, 1]
    assert second["core"]["lesson_location"] == lessons[1]


def _web_run(graph: dict[str, Any], picks: list[int]) -> dict[str, Any]:
    """The web engine (services.apply_choice) on the same choices: node, state, score, steps."""
    node, state, score, steps = graph["start"], initial_state(graph), 0, []
    for pick in picks:
        choices = next(n for n in graph["nodes"] if n["id"] == node)["choices"]
        target, state, choice = apply_choice(graph, state, node, choices[pick]["id"])
        steps.append((node, choice))
        score += choice.get("score", 0)
        node = target
    return {"node": node, "state": state, "score": score, "steps": steps}


def _all_paths(graph: dict[str, Any]) -> list[list[int]]:
    """Every run of the scenario, as the choices' positions, found with the web engine."""
    paths: list[list[int]] = []

    def walk(picks: list[int]) -> None:
        at = _web_run(graph, picks)["node"]
        node = next(n for n in graph["nodes"] if n["id"] == at)
        if node.get("end"):
            paths.append(picks)
            return
        for k in range(len(node["choices"])):
            walk([*picks, k])

    walk([])
    return paths


def _play(frame: Frame, scenario: dict[str, Any], pick: Any, stop: int = 99) -> str:
    """Play a scenario in the SCO, ``pick(node)`` giving the choice's position, until its end
    (or ``stop`` choices); returns the path letters played."""
    section = frame.locator(f"#scenario-{scenario['key']}")
    nodes = {n["id"]: n for n in scenario["graph"]["nodes"]}
    path = ""
    while len(path) < stop:
        node = nodes[section.get_attribute("data-at") or ""]
        if node["end"]:
            break
        k = pick(node)
        box = section.locator(f"[data-node='{node['id']}']")
        box.locator(f"input[value='{k}']").check()
        box.locator("button[type=submit]").click()
        path += "abcdefghijklmnopqrstuvwxyz"[k]
    return path


def test_a_scenario_plays_in_the_sco_with_its_consequences(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    """sc-quick-check: letting the colleague search sets a flag that routes to the cover-up
    node, and the integrity variable decides the ending, as on the web."""
    base, scos = served
    scenario = Scenario.objects.get(course=course, key="sc-quick-check")
    module = scenario.module.key
    data = scos[module]
    position = [s["key"] for s in data["scenarios"]].index(scenario.key)
    picks = [0, 1, 0, 0]  # photograph, let him search, Faraday bag, record the search
    web = _web_run(scenario.graph, picks)
    assert web["node"] == "end-partial" and "colleague_searched" in web["state"]["flags"]

    frame = _open(page, base, module)
    section = frame.locator(f"#scenario-{scenario.key}")
    played: list[int] = []
    for pick in picks:
        node = section.get_attribute("data-at")
        assert node == _web_run(scenario.graph, played)["node"]
        box = section.locator(f"[data-node='{node}']")
        box.locator(f"input[value='{pick}']").check()
        box.locator("button[type=submit]").click()
        played.append(pick)
        expected = _web_run(scenario.graph, played)
        for name, value in expected["state"]["variables"].items():
            assert section.locator(f"[data-var='{name}']").text_content() == str(value)
        node_id, choice = expected["steps"][-1]
        assert section.locator("[data-feedback-text]").text_content() == choice["feedback"].strip()
    assert section.get_attribute("data-at") == web["node"]
    end = section.locator(f"[data-node='{web['node']}']")
    assert end.locator("[data-score]").text_content() == str(web["score"])
    assert end.locator("[data-passed]").is_visible()
    assert section.locator("[data-path] li").count() == len(picks)
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    cmi = _cmi(page)["cmi"]
    path = "abaa"
    saved = json.loads(cmi["suspend_data"])
    assert saved["s"][position] == [1, path]
    assert cmi["core"]["lesson_status"] == "incomplete"  # lessons unread, quiz not taken
    assert cmi["core"]["exit"] == "suspend"
    interactions = [cmi["interactions"][str(n)] for n in range(len(cmi["interactions"]))]
    assert len(interactions) == len(picks) + 1
    for interaction, (node_id, choice), pick in zip(
        interactions, web["steps"], picks, strict=False
    ):
        node = next(n for n in scenario.graph["nodes"] if n["id"] == node_id)
        best = max(range(len(node["choices"])), key=lambda n: node["choices"][n]["score"])
        assert interaction["id"] == f"{scenario.key}.{node_id}"
        assert interaction["type"] == "choice"
        assert interaction["student_response"] == "abcd"[pick]
        assert interaction["result"] == str(choice["score"])
        assert interaction["weighting"] == str(node["choices"][best]["score"])
        assert interaction["correct_responses"]["0"]["pattern"] == "abcd"[best]
    final = interactions[-1]
    assert final["id"] == scenario.key and final["type"] == "performance"
    assert final["student_response"] == path
    assert final["result"] == str(web["score"])
    assert final["weighting"] == str(scenario.max_score)


def test_a_scenario_resumes_mid_run_from_suspend_data(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    base, scos = served
    scenario = Scenario.objects.get(course=course, key="sc-quick-check")
    module = scenario.module.key
    data = scos[module]
    position = [s["key"] for s in data["scenarios"]].index(scenario.key)
    frame = _open(page, base, module)
    _play(frame, data["scenarios"][position], lambda node: 1 if node["id"] == "colleague" else 0, 2)
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    first = _cmi(page)["cmi"]
    saved = json.loads(first["suspend_data"])
    assert saved["s"][position] == [0, "ab"]

    resume = {
        "core": {"entry": "resume", "lesson_status": first["core"]["lesson_status"]},
        "suspend_data": first["suspend_data"],
    }
    frame = _open(page, base, module, resume=resume)
    section = frame.locator(f"#scenario-{scenario.key}")
    assert frame.locator("body").get_attribute("data-resumed-at") == f"scenario-{scenario.key}"
    web = _web_run(scenario.graph, [0, 1])
    assert section.get_attribute("data-at") == web["node"] == "phone"
    integrity = section.locator("[data-var='evidence_integrity']").text_content()
    assert integrity == str(web["state"]["variables"]["evidence_integrity"])
    # the flag set before the break still routes the run: Faraday bag -> the cover-up
    box = section.locator("[data-node='phone']")
    box.locator("input[value='0']").check()
    box.locator("button[type=submit]").click()
    assert section.get_attribute("data-at") == "cover-up"
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    again = _cmi(page)["cmi"]
    assert json.loads(again["suspend_data"])["s"][position] == [0, "aba"]


def test_the_packaged_engine_agrees_with_the_web_engine_on_every_path(
    page: Page, served: tuple[str, dict[str, Any]], course: Course
) -> None:
    """shared/sco.js replays every path of every scenario to the same node, variables, flags
    and score as services.apply_choice."""
    base, scos = served
    cases = []
    for scenario in Scenario.objects.filter(course=course).order_by("key"):
        graph = next(
            s["graph"] for d in scos.values() for s in d["scenarios"] if s["key"] == scenario.key
        )
        paths = _all_paths(scenario.graph)
        for picks in paths:
            web = _web_run(scenario.graph, picks)
            cases.append(
                {
                    "graph": graph,
                    "path": "".join("abcdefghijklmnopqrstuvwxyz"[k] for k in picks),
                    "expected": {
                        "node": web["node"],
                        "score": web["score"],
                        "variables": web["state"]["variables"],
                        "flags": web["state"]["flags"],
                    },
                }
            )
    assert len(cases) >= 30
    frame = _open(page, base, next(iter(scos)))
    got = frame.evaluate(
        """(cases) => cases.map((c) => {
            const run = window.cybercapSCO.replay(c.graph, c.path);
            return {node: run.node, score: run.score, variables: run.state.variables,
                    flags: run.state.flags};
        })""",
        cases,
    )
    assert got == [c["expected"] for c in cases]


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)
