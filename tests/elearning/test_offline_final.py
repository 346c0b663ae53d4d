"""The final test taken offline: no answer key on the device, the server scores what arrives,
the attempt limit is counted when the answers reach the server (beyond it: refused with a
message), and the time limit is checked from the device's times with a tolerance (flagged, not
failed)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from cybercap.accounts.models import User
from cybercap.certificates.models import Certificate
from cybercap.elearning import offline
from cybercap.elearning.models import Course
from cybercap.quizzes.models import Attempt, Item
from tests.elearning.test_offline import _answer_fields, _learner, _quiz_fields, _sync
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]
FINAL = "final-test"
PAGE = f"/learn/{COURSE_KEY}/final-test/offline/"


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def _saved_earlier(fields: list[list[str]], hours: float = 48) -> list[list[str]]:
    """The page as if saved ``hours`` ago (the draw signed then), without the start time."""
    out = []
    for name, value in fields:
        if name == "draw":
            payload = signing.loads(value, salt=offline.DRAW_SALT)
            payload["at"] = (timezone.now() - timedelta(hours=hours)).isoformat()
            value = signing.dumps(payload, salt=offline.DRAW_SALT, compress=True)
        if name != "started":
            out.append([name, value])
    return out


def _record(
    client: Client,
    n: int,
    *,
    right: bool = True,
    minutes: float = 20,
    started: bool = True,
    saved_hours_ago: float = 48,
) -> dict[str, Any]:
    """One final test answered on the device, ``minutes`` long by its clock, on a page saved
    ``saved_hours_ago``."""
    fields = _saved_earlier(_quiz_fields(client, right=right, path=FINAL), hours=saved_hours_ago)
    end = timezone.now() - timedelta(minutes=1)
    if started:
        fields.append(["started", (end - timedelta(minutes=minutes)).isoformat()])
    return {
        "id": n,
        "kind": "attempt",
        "course": COURSE_KEY,
        "module": "final-test",
        "client_id": str(uuid.uuid4()),
        "submitted_at": end.isoformat(),
        "fields": fields,
    }


def test_the_page_carries_the_questions_but_no_answer_key(
    course: Course, make_user: Callable[..., User]
) -> None:
    _, client = _learner(make_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    keys = re.findall(r'id="q-([^"]+)"', body)
    assert course.final_test is not None
    assert len(keys) == course.final_test.draw == 30
    assert 'data-time-limit="35"' in body and 'data-attempts-left="3"' in body
    for item in Item.objects.filter(key__in=keys, language=course.language):
        assert item.stem in body or item.stem.replace("'", "&#x27;") in body
        for option in item.options:
            assert option["explanation"] not in body, item.key
    assert "data-correct" not in body and '"correct"' not in body and "<script>" not in body
    # Saving the page records nothing: no attempt until answers arrive.
    assert not Attempt.objects.exists()


def test_the_capstone_module_saves_the_final_test_with_it(
    course: Course, make_user: Callable[..., User]
) -> None:
    _, client = _learner(make_user)
    capstone = course.modules.get(kind="capstone")
    urls = client.get(f"/learn/{COURSE_KEY}/modules/{capstone.key}/offline.json").json()["urls"]
    assert PAGE in urls
    other = client.get(f"/learn/{COURSE_KEY}/modules/m1-principles/offline.json").json()["urls"]
    assert PAGE not in other
    assert f'href="{PAGE}"' in client.get(f"/learn/{COURSE_KEY}/").content.decode()


def test_a_passed_final_test_synced_twice_is_one_attempt_and_one_certificate(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    record = _record(client, 1)
    first = _sync(client, [record])
    again = _sync(client, [record])
    attempt = Attempt.objects.get(user=user)
    assert [r["status"] for r in first + again] == ["recorded", "duplicate"]
    assert (first[0]["percent"], first[0]["passed"], first[0]["flags"]) == (100, True, [])
    assert attempt.test == course.final_test and attempt.flags == []
    assert attempt.responses.count() == 30
    duration = attempt.submitted_at - attempt.started_at  # type: ignore[operator]
    assert abs(duration - timedelta(minutes=20)) < timedelta(seconds=1)
    certificate = Certificate.objects.get(holder_user=user)
    assert (certificate.kind, certificate.course_key) == ("achievement", COURSE_KEY)
    result = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert "Taken on this device offline and scored by the server" in result
    assert "data-flag=" not in result


def test_attempts_beyond_the_limit_are_refused_at_sync_with_a_message(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    # Four pages saved while attempts were left, answered offline, sent together.
    records = [_record(client, n, right=False) for n in range(1, 5)]
    results = _sync(client, records)
    assert [r["status"] for r in results] == ["recorded"] * 3 + ["rejected"]
    assert course.final_test is not None
    assert results[3]["message"] == (
        f"Not recorded: every attempt allowed at “{course.final_test.title}” (3) had been "
        "used when these answers arrived, so they do not count."
    )
    assert Attempt.objects.filter(user=user).count() == 3
    assert sorted(Attempt.objects.values_list("number", flat=True)) == [1, 2, 3]
    # Sent again, still refused; nothing more is recorded.
    assert _sync(client, [records[3]])[0]["status"] == "rejected"
    assert Attempt.objects.filter(user=user).count() == 3
    # The page now says so and draws nothing.
    page = client.get(PAGE).content.decode()
    assert "You have used every attempt at this test." in page
    assert 'name="draw"' not in page


def test_an_online_attempt_cannot_take_a_slot_the_offline_ones_used(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    started = client.post(f"/learn/{COURSE_KEY}/final-test/")
    open_attempt = Attempt.objects.get(user=user)
    assert started["Location"] == f"/learn/attempts/{open_attempt.pk}/"
    _sync(client, [_record(client, n, right=False) for n in range(1, 4)])
    assert Attempt.objects.filter(user=user, submitted_at__isnull=False).count() == 3
    # Submitting the attempt opened online is refused by the same shared service.
    data: dict[str, list[str]] = {}
    for name, value in _answer_fields(open_attempt.item_keys):
        data.setdefault(name, []).append(value)
    response = client.post(started["Location"], data, follow=True)
    assert "You have used every attempt at this test." in response.content.decode()
    open_attempt.refresh_from_db()
    assert open_attempt.submitted_at is None
    assert Attempt.objects.filter(user=user, submitted_at__isnull=False).count() == 3


@pytest.mark.parametrize(
    ("minutes", "started", "flags"),
    [
        (20, True, []),
        (37, True, []),  # within the tolerance
        (60, True, ["overtime"]),
        (20, False, ["device_clock"]),
    ],
)
def test_the_time_is_checked_from_the_devices_times(
    make_user: Callable[..., User], minutes: float, started: bool, flags: list[str]
) -> None:
    user, client = _learner(make_user)
    result = _sync(client, [_record(client, 1, minutes=minutes, started=started)])[0]
    assert (result["status"], result["passed"], result["flags"]) == ("recorded", True, flags)
    attempt = Attempt.objects.get(user=user)
    assert attempt.flags == flags
    page = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert re.findall(r'data-flag="([^"]+)"', page) == flags


def test_a_device_claiming_to_start_before_the_page_was_drawn_is_flagged(
    make_user: Callable[..., User],
) -> None:
    user, client = _learner(make_user)
    record = _record(client, 1, minutes=24 * 60, saved_hours_ago=1)
    result = _sync(client, [record])[0]
    assert result["flags"] == ["device_clock", "overtime"]
    attempt = Attempt.objects.get(user=user)
    # The times kept are bounded by the draw and the arrival, whatever the device said.
    draw = offline.draw_check(user=user, token=dict(record["fields"])["draw"])
    assert attempt.started_at >= draw.issued_at


def test_a_module_quiz_has_no_time_limit(make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    fields = _saved_earlier(_quiz_fields(client))
    end = timezone.now()
    fields.append(["started", (end - timedelta(hours=1)).isoformat()])
    record = {
        "id": 1,
        "kind": "attempt",
        "client_id": str(uuid.uuid4()),
        "submitted_at": end.isoformat(),
        "fields": fields,
    }
    assert _sync(client, [record])[0]["flags"] == []  # an hour: no limit, no flag
    assert Attempt.objects.get(user=user).flags == []


def test_online_the_one_page_final_test_records_at_once(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    fields = [f for f in _quiz_fields(client, path=FINAL) if f[0] != "started"]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    data["started"] = [(timezone.now() - timedelta(minutes=5)).isoformat()]
    response = client.post(PAGE, data)
    attempt = Attempt.objects.get(user=user)
    assert response["Location"] == f"/learn/attempts/{attempt.pk}/"
    assert (attempt.passed, attempt.flags) == (True, [])
    assert Certificate.objects.filter(holder_user=user, course_key=COURSE_KEY).count() == 1


def test_online_without_script_the_time_runs_from_when_the_page_was_drawn(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    fields = [f for f in _quiz_fields(client, path=FINAL) if f[0] != "started"]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    client.post(PAGE, data)
    assert Attempt.objects.get(user=user).flags == []
    # A page drawn two hours ago and submitted now took too long.
    data["draw"] = [dict(_saved_earlier(fields, hours=2))["draw"]]
    client.post(PAGE, data)
    assert Attempt.objects.filter(user=user).order_by("number").last().flags == ["overtime"]  # type: ignore[union-attr]
