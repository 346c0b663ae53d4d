"""The cmi5 launch sequence in Chromium: an AU of the exported package launched against a small
test LMS (a threaded http.server in this test) that serves the package, the fetch URL, the
LMS.LaunchData state and the statements resource. The fetch URL must be called exactly once,
``initialized`` must come first and ``terminated`` last, and every statement must validate
with ralph-malph's pydantic models."""

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

from cybercap.elearning import cmi5, xapi
from cybercap.elearning.models import Course
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]

TOKEN = "Y21pNS10ZXN0OnNlY3JldA=="
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = str(uuid.uuid4())


@dataclass
class LaunchingLMS:
    """What the AU asked of the LMS."""

    root: Path
    launch_data: dict[str, Any]
    fetch_calls: int = 0
    state_requests: list[dict[str, list[str]]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    bad_auth: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


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
                with lms.lock:
                    lms.state_requests.append(parse_qs(url.query))
                self._send(200, json.dumps(lms.launch_data).encode())
                return
            if url.path.startswith("/pkg/"):
                target = (lms.root / url.path.removeprefix("/pkg/")).resolve()
                if target.is_file() and lms.root in target.parents:
                    kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
                    kind = kinds.get(target.suffix, "image/svg+xml")
                    self._send(200, target.read_bytes(), f"{kind}; charset=utf-8")
                    return
            self._send(404, b"{}")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/fetch":
                with lms.lock:
                    lms.fetch_calls += 1
                    first = lms.fetch_calls == 1
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
    request.getfixturevalue("loaded_course")
    with django_db_blocker.unblock():
        data = cmi5.export_cmi5(Course.objects.get(key=COURSE_KEY))
    root = tmp_path_factory.mktemp("cmi5")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(root)
    return root.resolve()


@pytest.fixture
def lms(package_root: Path) -> Iterator[tuple[LaunchingLMS, str]]:
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
    page: Page, base: str, state: LaunchingLMS, module: str, course: Course
) -> dict[str, Any]:
    activity_id = xapi.module_iri(course.key, module)
    registration = str(uuid.uuid4())
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "l-1"}}
    state.launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": activity_id}]},
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": SESSION},
        },
        "launchMode": "Normal",
        "moveOn": "CompletedAndPassed",
        "masteryScore": 0.8,
    }
    query = urlencode(
        {
            "endpoint": f"{base}/lrs/",
            "fetch": f"{base}/fetch",
            "actor": json.dumps(actor),
            "registration": registration,
            "activityId": activity_id,
        }
    )
    page.goto(f"{base}/pkg/{module}/index.html?{query}")
    return {"actor": actor, "registration": registration, "activityId": activity_id}


def test_an_au_follows_the_cmi5_launch_sequence(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    state, base = lms
    launch = _launch(page, base, state, "m1-principles", course)
    page.wait_for_function("document.querySelector('#quiz-result') !== null")
    data = json.loads(page.locator("#sco-data").text_content() or "{}")
    for button in page.locator("button[data-lesson]").all():
        button.click()
    for item in data["items"]:
        _answer_right(page, item)
    page.locator("#quiz button[type=submit]").click()
    page.locator("#finish").click()
    page.wait_for_selector("body[data-cmi5=terminated]")

    assert state.fetch_calls == 1
    assert state.bad_auth == 0
    assert len(state.state_requests) == 1
    request = state.state_requests[0]
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


def test_a_failed_quiz_below_the_launch_mastery_score(
    page: Page, lms: tuple[LaunchingLMS, str], course: Course
) -> None:
    state, base = lms
    _launch(page, base, state, "m1-principles", course)
    page.wait_for_function("document.querySelector('#quiz-result') !== null")
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


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)
