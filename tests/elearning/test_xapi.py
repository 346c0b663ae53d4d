"""xAPI statements for every learner event, validated with ralph-malph's pydantic models (an
independent implementation of xAPI), stored in the event's transaction, exported by the CLI."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from pydantic import TypeAdapter
from ralph.models.xapi.base.agents import BaseXapiAgentWithAccount
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import (
    BaseXapiActivity,
    BaseXapiActivityInteractionDefinition,
)
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb
from ralph.models.xapi.concepts.verbs.scorm_profile import CompletedVerb, TerminatedVerb

from cybercap.accounts.models import User
from cybercap.elearning import services, xapi
from cybercap.elearning.models import (
    Course,
    Enrolment,
    LearnerAccount,
    Lesson,
    LessonProgress,
    Statement,
)
from cybercap.quizzes.models import Attempt, Item
from tests.conftest import login
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]

EVERY_VERB = {"launched", "experienced", "answered", "passed", "failed", "completed", "terminated"}
VERB_MODELS = {"answered": AnsweredVerb, "completed": CompletedVerb, "terminated": TerminatedVerb}


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def _answer_data(item: Item, answer: Any) -> dict[str, Any]:
    if item.type in ("single", "true_false"):
        return {f"i-{item.key}": answer[0]} if answer else {}
    if item.type == "multiple":
        return {f"i-{item.key}": list(answer)}
    if item.type == "ordering":
        return {f"i-{item.key}-{option}": str(n) for n, option in enumerate(answer, start=1)}
    return {f"i-{item.key}-{option}": target for option, target in answer.items()}


def _wrong(item: Item) -> Any:
    ids = [o["id"] for o in item.options]
    if item.type in ("single", "true_false"):
        return [next(i for i in ids if i not in item.correct)]
    if item.type == "multiple":
        return [i for i in ids if i not in item.correct]
    if item.type == "ordering":
        return list(reversed(item.correct))
    targets = list(item.correct.values())
    return dict(zip(item.correct.keys(), targets[1:] + targets[:1], strict=True))


def _take(client: Client, url: str, right: Callable[[int, Item], bool]) -> Attempt:
    """Start a test from its page, answer each item right or wrong, submit."""
    attempt_url = client.post(url)["Location"]
    attempt = Attempt.objects.get(pk=int(attempt_url.rstrip("/").split("/")[-1]))
    items = {i.key: i for i in Item.objects.filter(key__in=attempt.item_keys)}
    data: dict[str, Any] = {}
    for n, key in enumerate(attempt.item_keys):
        item = items[key]
        data |= _answer_data(item, item.correct if right(n, item) else _wrong(item))
    done = client.post(attempt_url, data)
    assert done.status_code == 302, done.content.decode()[:1500]
    attempt.refresh_from_db()
    return attempt


def _validate(data: dict[str, Any]) -> BaseXapiStatement:
    """ralph-malph's models: the statement, its actor (an account), its verb, its object."""
    statement = BaseXapiStatement(**data)
    BaseXapiAgentWithAccount(**data["actor"])
    BaseXapiActivity(**data["object"])
    if data["object"]["definition"].get("interactionType"):
        BaseXapiActivityInteractionDefinition(**data["object"]["definition"])
    model = VERB_MODELS.get(data["verb"]["id"].rsplit("/", 1)[-1])
    if model is not None:
        model(**data["verb"])
    return statement


@pytest.fixture
def journey(course: Course, make_user: Callable[..., User]) -> tuple[User, Client]:
    """A learner's way through the course on the web: a lesson, a module quiz failed then
    passed, a scenario to its end, the final test passed."""
    user = make_user("learner", email="learner@example.org", username="learner-x")
    client = login(Client(), user)
    module = course.modules.get(key="m1-principles")
    lessons = list(module.lessons.order_by("position"))
    for lesson in lessons:
        assert client.get(f"/learn/{course.key}/lessons/{lesson.key}/").status_code == 200
        assert client.post(f"/learn/{course.key}/lessons/{lesson.key}/complete/").status_code == 302
    quiz_url = f"/learn/{course.key}/modules/{module.key}/quiz/"
    failed = _take(client, quiz_url, lambda n, item: False)
    assert failed.passed is False
    passed = _take(client, quiz_url, lambda n, item: n != 1)
    assert passed.passed is True and passed.score is not None and passed.score < 1
    scenario = course.scenarios.filter(module=module).order_by("position").first() or (
        course.scenarios.order_by("module__position", "position").first()
    )
    assert scenario is not None
    run_url = client.post(f"/learn/{course.key}/scenarios/{scenario.key}/")["Location"]
    run_pk = int(run_url.rstrip("/").split("/")[-1])
    run = services.ScenarioRun.objects.get(pk=run_pk)
    while run.finished_at is None:
        choice = scenario.node(run.node)["choices"][0]["id"]
        assert client.post(run_url, {"choice": choice}).status_code == 302
        run.refresh_from_db()
    final = _take(client, f"/learn/{course.key}/final-test/", lambda n, item: True)
    assert final.passed is True
    return user, client


def test_every_learner_event_is_a_valid_statement(
    course: Course, journey: tuple[User, Client]
) -> None:
    user, _ = journey
    statements = list(Statement.objects.filter(user=user).order_by("stored", "id"))
    assert {s.verb for s in statements} == EVERY_VERB
    enrolment = Enrolment.objects.get(user=user, course=course)
    account = LearnerAccount.objects.get(user=user)
    for row in statements:
        data = row.data
        parsed = _validate(data)
        assert str(parsed.id) == str(row.id)
        assert data["version"] == "1.0.3"
        assert data["verb"]["id"] == f"http://adlnet.gov/expapi/verbs/{row.verb}"
        # The actor is an account: the site and an opaque id, never the e-mail or username.
        assert data["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": settings.SITE_URL, "name": str(account.name)},
        }
        text = json.dumps(data)
        assert user.email not in text and user.username not in text
        assert data["context"]["registration"] == str(enrolment.registration)
        assert data["context"]["language"] == course.language
        assert data["object"]["id"].startswith(f"{settings.SITE_URL}/xapi/activities/course/")
        if "duration" in data.get("result", {}):
            assert isinstance(parsed.result.duration, dt.timedelta)  # type: ignore[union-attr]


def test_each_event_says_what_happened(course: Course, journey: tuple[User, Client]) -> None:
    user, _ = journey
    rows = list(Statement.objects.filter(user=user).order_by("stored", "id"))
    base = xapi.course_iri(course.key)
    by = lambda verb: [r.data for r in rows if r.verb == verb]  # noqa: E731
    assert next(s["object"]["id"] for s in by("launched")) == base
    module = course.modules.get(key="m1-principles")
    lesson_ids = {
        xapi.lesson_iri(course.key, module.key, lesson.key) for lesson in module.lessons.all()
    }
    assert {s["object"]["id"] for s in by("experienced")} == lesson_ids
    completed = {s["object"]["id"] for s in by("completed")}
    assert lesson_ids <= completed
    assert base in completed  # the course, once its final test is passed
    assert xapi.module_iri(course.key, module.key) in completed  # lessons, quiz, scenario done
    quiz = xapi.module_quiz_iri(course.key, module.key)
    failed = [s for s in by("failed") if s["object"]["id"] == quiz]
    passed = [s for s in by("passed") if s["object"]["id"] == quiz]
    assert len(failed) == 1 and len(passed) == 1
    assert failed[0]["result"]["success"] is False and passed[0]["result"]["success"] is True
    attempt = Attempt.objects.filter(user=user, test=module.quiz, passed=True).get()
    assert passed[0]["result"]["score"]["raw"] == round(100 * (attempt.score or 0), 2)
    assert passed[0]["result"]["duration"].startswith("PT")
    # One answered statement per item answered, with the learner's response.
    answered = [
        s for s in by("answered") if s["context"]["contextActivities"]["parent"][0]["id"] == quiz
    ]
    responses = {r.item.key: r for r in attempt.responses.select_related("item")}
    mine = [
        s
        for s in answered
        if s["id"] in {str(xapi.derived_id("answered", attempt.pk, k)) for k in responses}
    ]
    assert len(mine) == len(responses)
    for statement in mine:
        key = statement["object"]["id"].rsplit("/", 1)[-1]
        response = responses[key]
        assert statement["result"]["response"] == xapi.response_text(
            response.item.type, response.answer
        )
        assert statement["result"]["success"] is (response.score >= 1)
    # terminated closes each attempt, after its other statements.
    for attempt_row in Attempt.objects.filter(user=user):
        ids = [
            str(xapi.derived_id(kind, "attempt", attempt_row.pk))
            for kind in ("launched", "result", "terminated")
        ]
        order = [r.data["id"] for r in rows if r.data["id"] in ids]
        assert order == ids
    run_answers = [s for s in by("answered") if "/scenario/" in s["object"]["id"]]
    assert run_answers and all(s["result"]["response"] for s in run_answers)


def test_activity_iris_are_stable_keys() -> None:
    base = f"{settings.SITE_URL}/xapi/activities/course/first-responder"
    assert xapi.lesson_iri("first-responder", "m1-principles", "l1") == (
        f"{base}/module/m1-principles/lesson/l1"
    )
    assert xapi.item_iri("first-responder", "q 1") == f"{base}/item/q%201"
    assert xapi.iso_duration(dt.timedelta(hours=1, minutes=2, seconds=3.5)) == "PT1H2M3.5S"
    assert xapi.iso_duration(dt.timedelta(0)) == "PT0S"
    assert xapi.iso_duration(dt.timedelta(minutes=5)) == "PT5M"
    assert xapi.response_text("matching", {"b": "2", "a": "1"}) == "a[.]1[,]b[.]2"
    assert xapi.correct_pattern("ordering", ["c", "a", "b"]) == "c[,]a[,]b"


def test_a_statement_that_cannot_be_stored_undoes_its_event(
    course: Course, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user("learner")
    lesson = Lesson.objects.filter(module__course=course).order_by("module__position").first()
    assert lesson is not None
    services.lesson_seen(user=user, lesson=lesson)

    def broken(self: xapi.Recorder) -> int:
        raise RuntimeError("the statement store failed")

    monkeypatch.setattr(xapi.Recorder, "save", broken)
    with pytest.raises(RuntimeError):
        services.lesson_complete(user=user, lesson=lesson)
    assert LessonProgress.objects.get(user=user, lesson=lesson).completed_at is None


def test_submitting_twice_stores_the_statements_once(
    course: Course, make_user: Callable[..., User]
) -> None:
    user = make_user("learner")
    assert course.pre_test is not None
    attempt = services.attempt_start(user=user, course=course, test=course.pre_test)
    items = list(Item.objects.filter(key__in=attempt.item_keys, language=course.language))
    answers = {i.key: i.correct for i in items}
    services.attempt_submit(attempt=attempt, answers=answers, course=course)
    count = Statement.objects.filter(user=user).count()
    assert (
        count == 1 + 1 + len(items) + 2
    )  # course launched, attempt launched, answers, result, end
    services.attempt_submit(attempt=attempt, answers=answers, course=course)
    assert Statement.objects.filter(user=user).count() == count


def test_the_cli_streams_the_statements_as_a_json_array(
    course: Course, journey: tuple[User, Client], tmp_path: Path
) -> None:
    out = tmp_path / "statements.json"
    call_command("elearning", "statements", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported) == Statement.objects.count()
    assert [s["id"] for s in exported] == [
        str(pk) for pk in Statement.objects.order_by("stored", "id").values_list("id", flat=True)
    ]
    for data in exported:
        _validate(data)
    middle = Statement.objects.order_by("stored", "id")[len(exported) // 2]
    call_command(
        "elearning", "statements", "--output", str(out), "--since", middle.stored.isoformat()
    )
    later = json.loads(out.read_text(encoding="utf-8"))
    assert later and len(later) < len(exported)
    assert all(uuid.UUID(s["id"]) for s in later)
    assert min(s["stored"] for s in later) > middle.data["stored"][:19]
    TypeAdapter(list[BaseXapiStatement]).validate_python(later)


def test_an_empty_export_is_an_empty_array(tmp_path: Path) -> None:
    out = tmp_path / "none.json"
    call_command("elearning", "statements", "--output", str(out), "--since", "2999-01-01T00:00:00Z")
    assert json.loads(out.read_text(encoding="utf-8")) == []


def test_the_demo_seeder_writes_statements_consistent_with_progress(
    course: Course, make_user: Callable[..., User]
) -> None:
    from cybercap.demo.registry import DemoReport, seeders
    from cybercap.elearning.demo import seed_elearning
    from cybercap.elearning.xapi_demo import seed_statements

    names = [name for name, _ in seeders()]
    assert names.index("elearning-statements") > names.index("elearning")
    learner = make_user("learner", username="demo-learner")
    seed_elearning(scale=1, report=DemoReport())
    live = {s.pk: s.data for s in Statement.objects.filter(user=learner)}
    # Statements the live events did not record (the demo's pre-test is submitted directly
    # through the question bank) are derived from what is stored.
    Statement.objects.filter(user=learner).delete()
    report = DemoReport()
    seed_statements(scale=1, report=report)
    seeded = {s.pk: s for s in Statement.objects.filter(user=learner)}
    assert report.counts["xAPI statements"] == len(seeded)
    assert set(live) <= set(seeded)  # the same ids as the live events
    for pk, data in live.items():
        assert seeded[pk].data["verb"] == data["verb"]
        assert seeded[pk].data["object"]["id"] == data["object"]["id"]
        assert seeded[pk].data["context"] == data["context"]
    for row in seeded.values():
        _validate(row.data)
        assert row.is_demo
    verbs = {row.verb for row in seeded.values()}
    assert {"launched", "experienced", "completed", "answered", "terminated"} <= verbs
    assert verbs & {"passed", "failed"}
    pre = Attempt.objects.get(user=learner)
    assert Statement.objects.filter(
        user=learner,
        verb__in=["passed", "failed"],
        data__result__score__raw=round(100 * (pre.score or 0), 2),
    ).exists()
    lessons_done = LessonProgress.objects.filter(user=learner, completed_at__isnull=False)
    assert (
        Statement.objects.filter(
            user=learner, verb="completed", object_id__contains="/lesson/"
        ).count()
        == lessons_done.count()
    )
    again = DemoReport()
    seed_statements(scale=1, report=again)
    assert again.counts == {}


def test_the_export_streams_in_constant_memory(
    course: Course, make_user: Callable[..., User], tmp_path: Path
) -> None:
    """Peak memory while writing stays far below the size of what is written: the rows are
    read in chunks and written one by one, never held all at once."""
    import tracemalloc

    from django.utils import timezone

    user = make_user("learner")
    rec = xapi.Recorder.for_learner(user, course)
    lesson = Lesson.objects.filter(module__course=course).select_related("module").first()
    assert lesson is not None
    padding = "x" * 1500  # about 2 kB a statement
    now = timezone.now()
    rows = []
    for n in range(8000):
        data = rec.add(
            "experienced",
            xapi.lesson_activity(rec, lesson, lesson.module),
            when=now,
            result={"extensions": {"https://example.org/xapi/padding": f"{n}{padding}"}},
        )
        rows.append(data["id"])
        if len(rec.pending) >= 1000:
            rec.save()
    rec.save()
    out = tmp_path / "big.json"
    tracemalloc.start()
    with out.open("w", encoding="utf-8") as stream:
        count = xapi.write_statements(stream, xapi.statements_queryset())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 8000
    size = out.stat().st_size
    assert size > 15_000_000
    assert peak < size / 4, (peak, size)
