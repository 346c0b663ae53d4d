"""Offline use through HTTP: the worker and manifest, a module's package, the one-page quiz and
the sync endpoint, which records each offline submission once however often it is sent."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from cybercap.accounts.models import User
from cybercap.elearning import offline
from cybercap.elearning.models import Course, Enrolment, Lesson, LessonProgress, Statement
from cybercap.quizzes import scoring
from cybercap.quizzes.models import Attempt, Item
from tests.conftest import login
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]
MODULE = "m1-principles"


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def _learner(make_user: Callable[..., User]) -> tuple[User, Client]:
    user = make_user("learner")
    return user, login(Client(), user)


def _quiz_fields(
    client: Client, *, right: bool = True, path: str = f"modules/{MODULE}/quiz"
) -> list[list[str]]:
    """Fetch the one-page quiz (or final test) and answer every item (right, or each wrong)."""
    body = client.get(f"/learn/{COURSE_KEY}/{path}/offline/").content.decode()
    draw = re.search(r'name="draw" value="([^"]+)"', body)
    assert draw is not None
    fields = [["draw", draw.group(1)], ["started", "2026-01-01T00:00:00Z"]]
    return fields + _answer_fields(re.findall(r'id="q-([^"]+)"', body), right=right)


def _answer_fields(keys: list[str], *, right: bool = True) -> list[list[str]]:
    """The form fields answering these items (right, or each wrong)."""
    fields: list[list[str]] = []
    for item in Item.objects.filter(key__in=keys, language="en"):
        answer: Any = item.correct if right else None
        if item.type in ("single", "true_false"):
            pick = (
                answer[0]
                if right
                else next(o["id"] for o in item.options if o["id"] not in item.correct)
            )
            fields.append([f"i-{item.key}", pick])
        elif item.type == "multiple":
            fields += [[f"i-{item.key}", o] for o in (answer if right else [])]
        elif item.type == "ordering":
            order = item.correct if right else list(reversed(item.correct))
            fields += [[f"i-{item.key}-{o}", str(n)] for n, o in enumerate(order, start=1)]
        else:
            fields += [[f"i-{item.key}-{o}", t if right else ""] for o, t in item.correct.items()]
    return fields


def _sync(client: Client, records: list[dict[str, Any]]) -> Any:
    response = client.post(
        "/learn/offline/sync/", json.dumps({"records": records}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_worker_and_manifest_are_served_for_the_learn_scope() -> None:
    sw = Client().get("/learn/sw.js")
    assert sw.status_code == 200
    assert sw["Content-Type"] == "text/javascript; charset=utf-8"
    assert sw["Service-Worker-Allowed"] == "/learn/"
    assert b"self.registration.scope" in sw.content
    manifest = Client().get("/learn/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert (data["start_url"], data["scope"], data["display"]) == (
        "/learn/",
        "/learn/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert sizes == {"any", "192x192", "512x512"}
    for icon in data["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_the_package_lists_the_modules_pages_and_figures(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    data = client.get(f"/learn/{COURSE_KEY}/modules/m5-computers/offline.json").json()
    lessons = Lesson.objects.filter(module__course=course, module__key="m5-computers")
    expected = [f"/learn/{COURSE_KEY}/lessons/{lesson.key}/" for lesson in lessons]
    assert [u for u in data["urls"] if "/lessons/" in u] == expected
    assert f"/learn/{COURSE_KEY}/modules/m5-computers/quiz/offline/" in data["urls"]
    assert f"/learn/{COURSE_KEY}/figures/order-of-volatility.svg" in data["urls"]
    assert {"/learn/offline/", "/learn/offline/saved/", f"/learn/{COURSE_KEY}/"} <= set(
        data["urls"]
    )
    assert data["learner"] == user.pk
    # Saving the lessons does not count as reading them, nor move where the course resumes.
    for url in expected:
        assert client.get(url + "offline/").status_code == 200
    assert not LessonProgress.objects.filter(user=user).exists()
    assert not Enrolment.objects.filter(user=user).exists()


def test_the_course_and_lesson_pages_offer_offline_use(make_user: Callable[..., User]) -> None:
    _, client = _learner(make_user)
    page = client.get(f"/learn/{COURSE_KEY}/").content.decode()
    assert f'data-offline-module="/learn/{COURSE_KEY}/modules/{MODULE}/offline.json"' in page
    assert f'href="/learn/{COURSE_KEY}/modules/{MODULE}/quiz/offline/"' in page
    assert '<script src="/static/elearning/offline.js" defer></script>' in page
    lesson = client.get(f"/learn/{COURSE_KEY}/lessons/m1-four-principles/").content.decode()
    assert 'id="offline-bar" hidden' in lesson
    # Without JavaScript the lesson is an ordinary form post.
    assert (
        f'<form method="post" action="/learn/{COURSE_KEY}/lessons/m1-four-principles/complete/">'
        in lesson
    )


def test_a_submission_synced_twice_is_one_attempt(make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    before = timezone.now()
    fields = _quiz_fields(client)
    record = {
        "id": 1,
        "kind": "attempt",
        "client_id": str(uuid.uuid4()),
        "submitted_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "fields": fields,
        "learner": user.pk,
    }
    first = _sync(client, [record])
    first_at = timezone.now()
    assert first[0]["status"] == "recorded"
    assert (first[0]["percent"], first[0]["passed"]) == (100, True)
    # Recorded as any attempt is, in xAPI: one answer per item, then passed, at the
    # device's time.
    statements = Statement.objects.filter(user=user)
    verbs = sorted(statements.values_list("verb", flat=True))
    assert verbs.count("answered") == 6 and "passed" in verbs
    second = _sync(client, [record])
    assert second[0]["status"] == "duplicate"
    assert Statement.objects.filter(user=user).count() == len(verbs)
    assert second[0]["attempt"] == first[0]["attempt"]
    attempt = Attempt.objects.get(user=user)
    assert str(attempt.client_id) == record["client_id"]
    assert attempt.responses.count() == 6
    assert attempt.score == 1.0
    # The device's times are kept between the draw and now: a minute before the draw (a
    # wrong clock) is the draw's time; the start (2026-01-01) likewise.
    assert attempt.submitted_at is not None
    assert before <= attempt.submitted_at <= first_at
    assert attempt.started_at == attempt.submitted_at

    # A second offline attempt (another client id) is a second attempt, numbered on.
    other = record | {"client_id": str(uuid.uuid4()), "fields": _quiz_fields(client, right=False)}
    third = _sync(client, [other])
    assert third[0]["status"] == "recorded"
    assert third[0]["percent"] == 0
    assert sorted(Attempt.objects.filter(user=user).values_list("number", flat=True)) == [1, 2]


def test_partial_answers_offline_still_count(make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    fields = [f for f in _quiz_fields(client) if f[0] in ("draw", "started")]
    result = _sync(
        client, [{"id": 9, "kind": "attempt", "client_id": str(uuid.uuid4()), "fields": fields}]
    )
    assert result[0]["status"] == "recorded"
    attempt = Attempt.objects.get(user=user)
    assert attempt.score == 0.0
    assert attempt.responses.count() == 6


def test_tampered_foreign_or_malformed_submissions_are_rejected(
    make_user: Callable[..., User],
) -> None:
    user, client = _learner(make_user)
    fields = _quiz_fields(client)
    tampered = [["draw", fields[0][1][:-2] + "xx"], *fields[1:]]
    payload = signing.loads(fields[0][1], salt=offline.DRAW_SALT)
    chosen = signing.dumps(payload | {"k": ["made-up"]}, salt="another salt", compress=True)
    results = _sync(
        client,
        [
            {"id": 1, "kind": "attempt", "client_id": str(uuid.uuid4()), "fields": tampered},
            {"id": 2, "kind": "attempt", "client_id": "not-a-uuid", "fields": fields},
            {"id": 3, "kind": "attempt", "client_id": str(uuid.uuid4()), "fields": "x"},
            {
                "id": 4,
                "kind": "attempt",
                "client_id": str(uuid.uuid4()),
                "fields": [["draw", chosen]],
            },
            {"id": 5, "kind": "lesson", "course": COURSE_KEY, "lesson": "no-such-lesson"},
            {"id": 6, "kind": "certificate"},
            {
                "id": 7,
                "kind": "lesson",
                "course": COURSE_KEY,
                "lesson": "m1-four-principles",
                "learner": user.pk + 1000,
            },
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["kept"]
    assert results[0]["message"] == "This quiz page was changed; it cannot be recorded."
    assert results[4]["message"] == "This lesson no longer exists."
    assert not Attempt.objects.exists()
    assert not LessonProgress.objects.exists()

    # Another learner cannot send this learner's draw, nor claim their client id.
    record = {"id": 1, "kind": "attempt", "client_id": str(uuid.uuid4()), "fields": fields}
    _, stranger = _learner(make_user)
    assert _sync(stranger, [record])[0]["message"] == "This quiz was saved by another account."
    assert _sync(client, [record])[0]["status"] == "recorded"
    own = _quiz_fields(stranger)
    claimed = _sync(stranger, [record | {"fields": own}])
    assert claimed[0]["message"] == "This submission belongs to another account."
    assert Attempt.objects.count() == 1


def test_bad_payloads_are_clear_errors(make_user: Callable[..., User]) -> None:
    _, client = _learner(make_user)
    post = client.post
    assert post("/learn/offline/sync/", "[", content_type="application/json").json() == {
        "error": "Send JSON."
    }
    response = post("/learn/offline/sync/", "{}", content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Send a JSON object with a list of records."},
    )
    many = json.dumps({"records": [{"kind": "lesson"}] * 201})
    assert post("/learn/offline/sync/", many, content_type="application/json").json() == {
        "error": "Send at most 200 records at a time."
    }


def test_lessons_read_offline_keep_the_earliest_times(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    user.date_joined = timezone.now() - timedelta(days=10)
    user.save(update_fields=["date_joined"])
    opened = timezone.now() - timedelta(hours=2)
    done = timezone.now() - timedelta(hours=1)
    record = {
        "id": 4,
        "kind": "lesson",
        "course": COURSE_KEY,
        "lesson": "m1-four-principles",
        "opened_at": opened.isoformat(),
        "completed_at": done.isoformat(),
        "learner": str(user.pk),
    }
    assert _sync(client, [record])[0]["status"] == "recorded"
    assert _sync(client, [record])[0]["status"] == "duplicate"
    progress = LessonProgress.objects.get(user=user)
    assert progress.first_seen_at == opened
    assert progress.completed_at == done
    # A time from the future or before the account existed is kept within bounds.
    later = record | {
        "lesson": "m1-standards-and-roles",
        "completed_at": "2999-01-01T00:00:00Z",
        "opened_at": "2000-01-01T00:00:00Z",
    }
    assert _sync(client, [later])[0]["status"] == "recorded"
    second = LessonProgress.objects.get(user=user, lesson__key="m1-standards-and-roles")
    assert second.completed_at is not None and second.completed_at <= timezone.now()
    assert second.first_seen_at == user.date_joined


def test_online_the_one_page_quiz_records_at_once(make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    fields = _quiz_fields(client)
    client_id = str(uuid.uuid4())
    data: dict[str, list[str]] = {}
    for name, value in [*fields, ["client_id", client_id]]:
        data.setdefault(name, []).append(value)
    url = f"/learn/{COURSE_KEY}/modules/{MODULE}/quiz/offline/"
    response = client.post(url, data)
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == f"/learn/attempts/{attempt.pk}/"
    assert str(attempt.client_id) == client_id
    # Posted again (a double click): still one attempt.
    assert client.post(url, data)["Location"] == f"/learn/attempts/{attempt.pk}/"
    assert Attempt.objects.filter(user=user).count() == 1
    # An unanswered quiz is shown again with its errors; nothing is recorded.
    draw_only = {"draw": data["draw"]}
    again = client.post(url, draw_only)
    assert again.status_code == 422
    assert "This field is required." in again.content.decode()
    assert Attempt.objects.filter(user=user).count() == 1
    bad = client.post(url, {"draw": "nonsense"})
    assert bad.status_code == 422
    assert "This quiz page was changed; it cannot be recorded." in bad.content.decode()


def test_scores_match_the_scoring_rules(make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    record = {
        "id": 1,
        "kind": "attempt",
        "client_id": str(uuid.uuid4()),
        "fields": _quiz_fields(client, right=False),
    }
    _sync(client, [record])
    for response in Attempt.objects.get(user=user).responses.select_related("item"):
        assert response.score == scoring.score(
            response.item.type, response.item.correct, response.answer
        )


def _twice_at_once(user: User, request: Callable[[Client], Any]) -> list[Any]:
    """What ``request`` returns when two signed-in clients of ``user`` send it at the same
    moment, each from its own thread and database connection."""
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send() -> None:
        other = login(Client(), user)
        barrier.wait()
        results.append(request(other))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_record_one_attempt(make_user: Callable[..., User]) -> None:
    """Also, in the same test (a transactional test empties the database, course included, at
    its end): two starts of a quiz at once, two tabs or a double click on Start, land on the
    same attempt, with no error."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    user, client = _learner(make_user)
    record = {
        "id": 1,
        "kind": "attempt",
        "client_id": str(uuid.uuid4()),
        "fields": _quiz_fields(client),
    }
    statuses = _twice_at_once(user, lambda other: _sync(other, [record])[0]["status"])
    assert sorted(statuses) == ["duplicate", "recorded"]
    assert Attempt.objects.filter(user=user).count() == 1

    second = make_user("learner")
    responses = _twice_at_once(
        second, lambda other: other.post(f"/learn/{COURSE_KEY}/modules/{MODULE}/quiz/")
    )
    attempt = Attempt.objects.get(user=second)
    assert [(r.status_code, r["Location"]) for r in responses] == [
        (302, f"/learn/attempts/{attempt.pk}/")
    ] * 2
