"""The cmi5 launch sequence in Chromium: an AU of the exported package launched against a small
test LMS (a threaded http.server in this test) that serves the package, the fetch URL, the
State API (``activities/state``: the LMS.LaunchData document and the AU's own documents) and
the statements resource. The fetch URL must be called exactly once per launch, ``initialized``
must come first and ``terminated`` last, every statement must validate with ralph-malph's
pydantic models, and a relaunch must resume where the learner left off."""

from __future__ import annotations

import io
import json
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import (
    BaseXapiActivity,
    BaseXapiActivityInteractionDefinition,
)
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb

from cybercap.elearning import cmi5, xapi
from cybercap.elearning.models import Course, Scenario
from cybercap.elearning.services import apply_choice, initial_state
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]

TOKEN = "Y21pNS10ZXN0OnNlY3JldA=="
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = str(uuid.uuid4())
STATE_ID = "cybercap.au-progress"


@dataclass
class LaunchingLMS:
    """What the AU asked of the LMS."""

    root: Path
    launch_data: dict[str, Any]
    fetch_calls: int = 0
    fetch_keys: list[str] = field(default_factory=list)
    # every State API request: (method, its query)
    state_requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    # the documents the AU wrote: (activityId, agent, registration, stateId) -> body
    documents: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    bad_auth: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def launch_data_requests(self) -> list[dict[str, list[str]]]:
        return [q for m, q in self.state_requests if q.get("stateId") == ["LMS.LaunchData"]]


def _document_key(query: dict[str, list[str]]) -> tuple[str, str, str, str]:
    agent = json.dumps(json.loads(query["agent"][0]), sort_keys=True)
    return (query["activityId"][0], agent, query.get("registration", [""])[0], query["stateId"][0])


def _handler(lms: LaunchingLMS) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            ok = self.headers.get("Authorization") == f"Basic {TOKEN}" and (
                self.headers.get("X-Experience-API-Version", "").startswith("1.0")
            )
            if not ok:
                with lms.lock:
                    lms.bad_auth += 1
                self._send(401, b"{}")
            return ok

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
                return
            if url.path == "/lrs/activities/state":
                if not self._authorised():
                    return
                query = parse_qs(url.query)
                if "stateId" not in query:  # the multiple-document GET: the ids kept
                    with lms.lock:
                        lms.state_requests.append(("GET", query))
                        ids = ["LMS.LaunchData"] + [
                            k[3]
                            for k in lms.documents
                            if k[:3] == _document_key({**query, "stateId": [""]})[:3]
                        ]
                    self._send(200, json.dumps(ids).encode())
                    return
                with lms.lock:
                    lms.state_requests.append(("GET", query))
                    document = lms.documents.get(_document_key(query))
                if query["stateId"] == ["LMS.LaunchData"]:
                    self._send(200, json.dumps(lms.launch_data).encode())
                elif document is None:
                    self._send(404, b"{}")
                else:
                    self._send(200, document)
                return
            if url.path.startswith("/pkg/"):
                target = (lms.root / url.path.removeprefix("/pkg/")).resolve()
                if target.is_file() and lms.root in target.parents:
                    kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
                    kind = kinds.get(target.suffix, "image/svg+xml")
                    self._send(200, target.read_bytes(), f"{kind}; charset=utf-8")
                    return
            self._send(404, b"{}")

        def do_PUT(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/lrs/activities/state":
                if not self._authorised():
                    return
                query = parse_qs(url.query)
                json.loads(body)  # the AU's documents are JSON
                with lms.lock:
                    lms.state_requests.append(("PUT", query))
                    lms.documents[_document_key(query)] = body
                self._send(204, b"")
                return
            self._send(404, b"{}")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/fetch":
                with lms.lock:
                    lms.fetch_calls += 1
                    lms.fetch_keys.append(url.query)
                    first = lms.fetch_keys.count(url.query) == 1
                if first:
                    self._send(200, json.dumps({"auth-token": TOKEN}).encode())
                else:  # the fetch URL is good for one token only
                    self._send(200, json.dumps({"error-code": "1", "error-text": "used"}).encode())
                return
            if url.path == "/lrs/statements":
                if not self._authorised():
                    return
                statement = json.loads(body)
                with lms.lock:
                    lms.statements.append(statement)
                self._send(200, json.dumps([statement["id"]]).encode())
                return
            self._send(404, b"{}")

    return Handler


@pytest.fixture(scope="module")
def package_root(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return _unpacked(request, django_db_blocker, tmp_path_factory, None)


@pytest.fixture(scope="module", params=["id", "th", "vi"])
def translated_root(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """The package in each translated language (``--language``), and that language."""
    return request.param, _unpacked(request, django_db_blocker, tmp_path_factory, request.param)


def _unpacked(
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    language: str | None,
) -> Path:
    request.getfixturevalue("loaded_course")
    with django_db_blocker.unblock():
        data = cmi5.export_cmi5(Course.objects.get(key=COURSE_KEY), language=language)
    assert cmi5.check_package(data) == []
    root = tmp_path_factory.mktemp("cmi5")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(root)
    return root.resolve()


@pytest.fixture
def lms(package_root: Path) -> Iterator[tuple[LaunchingLMS, str]]:
    yield from _serve_lms(package_root)


@pytest.fixture
def translated_lms(translated_root: tuple[str, Path]) -> Iterator[tuple[LaunchingLMS, str]]:
    yield from _serve_lms(translated_root[1])


def _serve_lms(package_root: Path) -> Iterator[tuple[LaunchingLMS, str]]:
    state = LaunchingLMS(root=package_root, launch_data={})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _answer_right(page: Page, item: dict[str, Any]) -> None:
    key, correct = item["key"], item["correct"]
    if item["type"] in ("single", "true_false", "multiple"):
        for option in correct:
            page.locator(f"input[name='i-{key}'][value='{option}']").check()
    elif item["type"] == "ordering":
        for position, option in enumerate(correct, start=1):
            page.locator(f"select[name='i-{key}-{option}']").select_option(str(position))
    else:
        for option, target in correct.items():
            page.locator(f"select[name='i-{key}-{option}']").select_option(target)


def _launch(
    page: Page,
    base: str,
    state: LaunchingLMS,
    module: str,
    course: Course,
    registration: str | None = None,
    session: str = SESSION,
) -> dict[str, Any]:
    activity_id = xapi.module_iri(course.key, module)
    registration = registration or str(uuid.uuid4())
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "l-1"}}
    state.launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": activity_id}]},
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": session},
        },
        "launchMode": "Normal",
        "moveOn": "CompletedAndPassed",
        "masteryScore": 0.8,
    }
    query = urlencode(
        {
            "endpoint": f"{base}/lrs/",
            "fetch": f"{base}/fetch?k={uuid.uuid4()}",
            "actor": json.dumps(actor),
            "registration": registration,
            "activityId": activity_id,
        }
    )
    page.goto(f"{base}/pkg/{module}/index.html?{query}")
    page.wait_for_selector("body[data-cmi5=ready]")
    return {"actor": actor, "registration": registration, "activityId": activity_id}


def test_an_au_follows_the_cmi5_launch_sequence(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    _follows_the_launch_sequence(page, lms, course)


def test_an_au_in_each_translated_language_follows_the_launch_sequence(
    page: Page,
    translated_root: tuple[str, Path],
    translated_lms: tuple[LaunchingLMS, str],
    course: Course,
) -> None:
    """The same independent check for the packages in Indonesian, Thai and Vietnamese, whose
    statements carry the package's language in their context."""
    language = translated_root[0]
    state = _follows_the_launch_sequence(page, translated_lms, course)
    assert {s["context"].get("language") for s in state.statements} == {language}


def _follows_the_launch_sequence(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> LaunchingLMS:
    state, base = lms
    launch = _launch(page, base, state, "m1-principles", course)
    data = json.loads(page.locator("#sco-data").text_content() or "{}")
    _finish_the_module(page, data, page.locator("button[data-lesson]").all())

    assert state.fetch_calls == 1
    assert state.bad_auth == 0
    assert len(state.launch_data_requests()) == 1
    launch_data = [m for m, q in state.state_requests if q.get("stateId") == ["LMS.LaunchData"]]
    assert launch_data == ["GET"]
    request = state.launch_data_requests()[0]
    assert request["stateId"] == ["LMS.LaunchData"]
    assert request["activityId"] == [launch["activityId"]]
    assert request["registration"] == [launch["registration"]]
    assert json.loads(request["agent"][0]) == launch["actor"]

    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in state.statements]
    assert verbs[0] == "initialized"
    assert verbs[-1] == "terminated"
    assert verbs.count("initialized") == 1 and verbs.count("terminated") == 1
    assert verbs.count("answered") == len(data["items"])
    assert verbs.count("passed") == 1 and "failed" not in verbs
    assert verbs.count("completed") == 1
    for statement in state.statements:
        BaseXapiStatement(**statement)
        assert statement["actor"] == launch["actor"]
        context = statement["context"]
        assert context["registration"] == launch["registration"]
        assert (
            context["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
            == SESSION
        )
        categories = {c["id"] for c in context.get("contextActivities", {}).get("category", [])}
        verb = statement["verb"]["id"].rsplit("/", 1)[-1]
        if verb == "answered":
            assert CATEGORY_CMI5 not in categories  # a cmi5 "allowed" statement
            assert statement["object"]["id"].startswith(xapi.course_iri(course.key) + "/item/")
            assert statement["result"]["response"]
        else:
            assert CATEGORY_CMI5 in categories
            assert statement["object"]["id"] == launch["activityId"]
        if verb in ("passed", "completed"):
            assert CATEGORY_MOVEON in categories
    passed = next(s for s in state.statements if s["verb"]["id"].endswith("/passed"))
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["scaled"] == 1
    assert passed["result"]["duration"].startswith("PT")
    extensions = passed["context"]["extensions"]
    assert extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.8
    return state


def test_a_failed_quiz_below_the_launch_mastery_score(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    state, base = lms
    _launch(page, base, state, "m1-principles", course)
    page.locator("#quiz button[type=submit]").click()  # no choice ticked: under the mastery
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in state.statements]
    assert state.fetch_calls == 1
    # Only the drop-down items (ordering, matching) carry an answer when nothing is ticked.
    assert [v for v in verbs if v != "answered"] == ["initialized", "failed", "terminated"]
    assert verbs[-2:] == ["failed", "terminated"]
    failed = state.statements[-2]
    assert failed["result"]["success"] is False
    assert failed["result"]["score"]["scaled"] < 0.8
    for statement in state.statements:
        BaseXapiStatement(**statement)


def _validate(statement: dict[str, Any]) -> None:
    """ralph-malph's models: the statement, its object, an interaction's definition, the verb."""
    BaseXapiStatement(**statement)
    BaseXapiActivity(**statement["object"])
    definition = statement["object"].get("definition", {})
    if definition.get("interactionType"):
        BaseXapiActivityInteractionDefinition(**definition)
    if statement["verb"]["id"].endswith("/answered"):
        AnsweredVerb(**statement["verb"])


def _choose(page: Page, scenario: str, picks: list[int]) -> None:
    section = page.locator(f"#scenario-{scenario}")
    for pick in picks:
        box = section.locator(f"[data-node='{section.get_attribute('data-at')}']")
        box.locator(f"input[value='{pick}']").check()
        box.locator("button[type=submit]").click()


def _finish_the_module(page: Page, data: dict[str, Any], lessons: list[Any]) -> None:
    """Read the lessons given, answer the quiz right, exit (terminated)."""
    for button in lessons:
        button.click()
    for item in data["items"]:
        _answer_right(page, item)
    page.locator("#quiz button[type=submit]").click()
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")


def _verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def test_scenario_statements_and_a_relaunch_that_resumes(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    """m3-scene: a lesson and two scenario choices, exit; the relaunch (a new session, a new
    fetch URL) resumes at the same node with the same consequences, the module is finished and
    "passed" and "completed" go once; a third launch owes nothing."""
    state, base = lms
    scenario = Scenario.objects.get(course=course, key="sc-quick-check")
    module = scenario.module.key
    launch = _launch(page, base, state, module, course)
    data = json.loads(page.locator("#sco-data").text_content() or "{}")
    position = [s["key"] for s in data["scenarios"]].index(scenario.key)
    lessons = page.locator("button[data-lesson]").all()
    lessons[0].click()
    _choose(page, scenario.key, [0, 1])  # photograph, let the colleague search
    assert page.locator(f"#scenario-{scenario.key}").get_attribute("data-at") == "phone"
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")

    first = list(state.statements)
    assert _verbs(first) == ["initialized", "answered", "answered", "terminated"]
    graph = scenario.graph
    node, run_state = graph["start"], initial_state(graph)
    for statement, pick in zip(first[1:3], [0, 1], strict=True):
        _validate(statement)
        choices = next(n for n in graph["nodes"] if n["id"] == node)["choices"]
        assert statement["object"]["id"] == xapi.scenario_node_iri(course.key, scenario.key, node)
        definition = statement["object"]["definition"]
        assert definition["interactionType"] == "choice"
        assert [c["id"] for c in definition["choices"]] == [c["id"] for c in choices]
        assert statement["result"]["response"] == choices[pick]["id"]
        assert statement["result"]["score"] == {"raw": choices[pick]["score"]}
        context = statement["context"]
        assert context["registration"] == launch["registration"]
        assert context["contextActivities"]["parent"] == [
            {"objectType": "Activity", "id": xapi.scenario_iri(course.key, scenario.key)}
        ]
        assert CATEGORY_CMI5 not in {
            c["id"] for c in context["contextActivities"].get("category", [])
        }
        node, run_state, _choice = apply_choice(graph, run_state, node, choices[pick]["id"])
    key = (
        launch["activityId"],
        json.dumps(launch["actor"], sort_keys=True),
        launch["registration"],
        STATE_ID,
    )
    saved = json.loads(state.documents[key])
    assert saved["r"] == [0] and saved["s"][position] == [0, "ab"]
    assert saved["w"] == [1, position]
    assert saved["c"] == 0 and saved["x"] == 0
    assert len(json.dumps(saved)) < 4096
    writes = [(m, q["stateId"][0]) for m, q in state.state_requests if m == "PUT"]
    assert ("GET", STATE_ID) not in [
        (m, q.get("stateId", [""])[0]) for m, q in state.state_requests
    ]
    assert writes and all(stateid == STATE_ID for _m, stateid in writes)

    # The relaunch: same registration, a new session and fetch URL.
    state.statements.clear()
    second_session = str(uuid.uuid4())
    _launch(page, base, state, module, course, launch["registration"], second_session)
    assert state.fetch_calls == 2
    section = page.locator(f"#scenario-{scenario.key}")
    assert page.locator("body").get_attribute("data-resumed-at") == f"scenario-{scenario.key}"
    assert section.get_attribute("data-at") == node == "phone"
    integrity = run_state["variables"]["evidence_integrity"]
    assert section.locator("[data-var='evidence_integrity']").text_content() == str(integrity)
    assert lessons[0].is_disabled() and page.locator("button[data-lesson]").nth(1).is_enabled()
    _choose(page, scenario.key, [0, 0])  # the flag carried: Faraday bag -> cover-up -> record
    assert section.get_attribute("data-at") == "end-partial"
    _finish_the_module(page, data, page.locator("button[data-lesson]").all()[1:])
    second = list(state.statements)
    verbs = _verbs(second)
    assert verbs[:4] == ["initialized", "answered", "answered", "experienced"]
    assert verbs[-3:] == ["passed", "completed", "terminated"]
    assert verbs.count("answered") == 2 + len(data["items"])
    experienced = second[3]
    assert experienced["object"]["id"] == xapi.scenario_iri(course.key, scenario.key)
    assert experienced["result"]["score"] == {
        "scaled": round(33 / scenario.max_score, 4),
        "raw": 33,
        "min": 0,
        "max": scenario.max_score,
    }
    assert experienced["result"]["success"] is True
    for statement in second:
        _validate(statement)
        extensions = statement["context"]["extensions"]
        assert (
            extensions["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] == second_session
        )
    saved = json.loads(state.documents[key])
    assert saved["s"][position] == [1, "abaa"] and saved["c"] == 1 and saved["x"] == 1
    assert saved["q"] == [100, 1]

    # A third launch: everything is sent already, nothing is sent twice.
    state.statements.clear()
    _launch(page, base, state, module, course, launch["registration"], str(uuid.uuid4()))
    assert section.get_attribute("data-at") == "end-partial"
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")
    assert _verbs(state.statements) == ["initialized", "terminated"]
    assert state.bad_auth == 0
    assert all(
        m == "GET" for m, q in state.state_requests if q.get("stateId") == ["LMS.LaunchData"]
    )


def test_a_quiz_passed_after_a_fail_in_one_session_is_passed_at_the_next_launch(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    """One "passed" or "failed" per session: the quiz failed then passed in one session sends
    "failed"; the next launch of the registration sends the "passed" it owes, once."""
    state, base = lms
    launch = _launch(page, base, state, "m1-principles", course)
    data = json.loads(page.locator("#sco-data").text_content() or "{}")
    page.locator("#quiz button[type=submit]").click()  # nothing ticked: failed
    for item in data["items"]:
        _answer_right(page, item)
    page.locator("#quiz button[type=submit]").click()  # passed, but a judgement was sent
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")
    verbs = [v for v in _verbs(state.statements) if v != "answered"]
    assert verbs == ["initialized", "failed", "terminated"]

    state.statements.clear()
    _launch(page, base, state, "m1-principles", course, launch["registration"], str(uuid.uuid4()))
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")
    assert _verbs(state.statements) == ["initialized", "passed", "terminated"]
    passed = state.statements[1]
    _validate(passed)
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}
    assert passed["object"]["id"] == launch["activityId"]

    state.statements.clear()
    _launch(page, base, state, "m1-principles", course, launch["registration"], str(uuid.uuid4()))
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")
    assert _verbs(state.statements) == ["initialized", "terminated"]


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)
