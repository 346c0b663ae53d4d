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

from cybercap.elearning.models import Course
from cybercap.elearning.scorm import check_package, export_scorm12
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
    request.getfixturevalue("loaded_course")
    if not SCORM_AGAIN.exists():
        pytest.fail(f"{SCORM_AGAIN} is missing: run `npm ci` (make test does)")
    with django_db_blocker.unblock():
        data = export_scorm12(Course.objects.get(key=COURSE_KEY))
    assert check_package(data) == []
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
        frame.locator("#finish").click()
        page.wait_for_function("window.finished === true")
        held = _cmi(page)
        cmi = held["cmi"]
        core = cmi["core"]
        assert held["finished"] is True
        assert held["error"] == "0", (module.key, held["error"])
        assert SESSION_TIME.match(held["session_time"]), held["session_time"]
        assert core["exit"] == ""
        assert core["lesson_location"] == data["lessons"][-1]
        suspend = cmi["suspend_data"]
        assert 0 < len(suspend) < 4096
        assert json.loads(suspend) == {"read": data["lessons"], "done": True}
        if data["items"]:
            assert core["lesson_status"] == "passed", module.key
            assert core["score"]["raw"] == "100"
            assert core["score"]["min"] == "0" and core["score"]["max"] == "100"
            interactions = cmi["interactions"]
            assert len(interactions) == len(data["items"])
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
    assert json.loads(first["suspend_data"]) == {"read": [lessons[0]], "done": False}

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
    assert frame.locator(f"button[data-lesson='{lessons[0]}']").is_disabled()
    assert frame.locator(f"button[data-lesson='{lessons[1]}']").is_enabled()
    frame.locator(f"button[data-lesson='{lessons[1]}']").click()
    frame.locator("#finish").click()
    page.wait_for_function("window.finished === true")
    second = _cmi(page)["cmi"]
    assert json.loads(second["suspend_data"])["read"] == lessons[:2]
    assert second["core"]["lesson_location"] == lessons[1]


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)
