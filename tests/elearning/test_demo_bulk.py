"""The demo at platform scale (`cybercap demo --learners N --active-learners K`): rows go in
by COPY on PostgreSQL (bulk_create elsewhere), the statements stay valid xAPI and consistent
with the progress they describe, and the learner pages take the same queries however many
learners and statements there are."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cybercap.accounts.models import User
from cybercap.demo.registry import DemoReport
from cybercap.elearning.demo import seed_elearning
from cybercap.elearning.models import Enrolment, Lesson, LessonProgress, ScenarioRun, Statement
from cybercap.elearning.xapi_demo import seed_statements
from cybercap.quizzes.models import Attempt, Item
from tests.conftest import login
from tests.elearning.test_xapi import _answer_data, _validate
from tests.factories import AgencyFactory, CountryFactory
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


@pytest.fixture
def members(db: Any) -> list[Any]:
    countries = [
        CountryFactory(code="TH", name="Thailand", asean_joined=date(1967, 8, 8)),
        CountryFactory(code="VN", name="Viet Nam", asean_joined=date(1995, 7, 28)),
    ]
    for country in countries:
        AgencyFactory(country=country, name=f"Demo unit {country.code}", is_demo=True)
    return countries


def _seed(learners: int, active: int) -> DemoReport:
    report = DemoReport()
    seed_elearning(scale=1, report=report, learners=learners, active_learners=active)
    seed_statements(scale=1, report=report)
    return report


def test_a_bulk_run_writes_valid_statements_consistent_with_progress(members: list[Any]) -> None:
    report = _seed(learners=60, active=12)
    cohort = User.objects.filter(username__startswith="learner-", is_demo=True).order_by("pk")
    assert cohort.count() == 60 == report.counts["synthetic learners"]
    assert len({u.password for u in cohort}) == 1  # one precomputed hash, unusable
    assert not cohort[0].has_usable_password()
    # Past the first 12, learners have enrolled and not opened a lesson.
    idle = list(cohort[12:])
    assert not LessonProgress.objects.filter(user__in=idle).exists()
    assert not Attempt.objects.filter(user__in=idle).exists()
    assert Enrolment.objects.filter(user__in=idle, is_demo=True).count() == 48
    assert LessonProgress.objects.filter(user__in=cohort).exists()

    rows = list(Statement.objects.filter(user__in=cohort))
    assert len(rows) == report.counts["xAPI statements"]
    for row in rows:
        statement = _validate(row.data)  # ralph-malph's xAPI 1.0.3 models
        assert str(statement.id) == str(row.pk) and row.is_demo
        assert row.data["verb"]["id"].endswith("/" + row.verb)
        assert row.data["object"]["id"] == row.object_id
    # One statement per event stored.
    launched_course = [
        r for r in rows if r.verb == "launched" and r.object_id.endswith(f"/course/{COURSE_KEY}")
    ]
    assert len(launched_course) == 60
    progress = LessonProgress.objects.filter(user__in=cohort)
    assert sum(r.verb == "experienced" for r in rows) == progress.count()
    assert (
        sum(r.verb == "completed" and "/lesson/" in r.object_id for r in rows)
        == progress.filter(completed_at__isnull=False).count()
    )
    attempts = Attempt.objects.filter(user__in=cohort, submitted_at__isnull=False)
    assert (
        sum(r.verb in ("passed", "failed") and "/scenario/" not in r.object_id for r in rows)
        == attempts.count()
    )
    assert sum(r.verb == "passed" and "/scenario/" not in r.object_id for r in rows) == (
        attempts.filter(passed=True).count()
    )
    finished = ScenarioRun.objects.filter(user__in=cohort, finished_at__isnull=False)
    assert sum(r.verb == "terminated" and "/scenario/" in r.object_id for r in rows) == (
        finished.count()
    )

    again = DemoReport()
    seed_elearning(scale=1, report=again, learners=60, active_learners=12)
    seed_statements(scale=1, report=again)
    assert again.counts == {}


def test_the_command_takes_the_cohort_size_apart_from_scale() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--learners", "25", "--active-learners", "5", stdout=out)
    assert "synthetic learners: 25\n" in out.getvalue()
    assert User.objects.filter(username__startswith="learner-").count() == 25
    assert (
        LessonProgress.objects.filter(user__username__startswith="learner-")
        .values("user")
        .distinct()
        .count()
        <= 5
    )


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_bad_cohort_size_is_refused(value: str) -> None:
    with pytest.raises(SystemExit):
        call_command("demo", "--no-serve", "--learners", value, stderr=io.StringIO())
    assert not User.objects.exists()


def _quiz_submission(client: Client) -> tuple[int, int]:
    """Start the first module's quiz and submit it; the queries of the submission."""
    url = f"/learn/{COURSE_KEY}/modules/m1-principles/quiz/"
    attempt_url = client.post(url)["Location"]
    attempt = Attempt.objects.get(pk=int(re.findall(r"\d+", attempt_url)[-1]))
    items = {i.key: i for i in Item.objects.filter(key__in=attempt.item_keys)}
    data: dict[str, Any] = {}
    for key in attempt.item_keys:
        data |= _answer_data(items[key], items[key].correct)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(attempt_url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return len(queries), Statement.objects.filter(user_id=attempt.user_id).count()


def _lesson_page(client: Client) -> int:
    lesson = Lesson.objects.filter(module__course__key=COURSE_KEY).order_by("pk")[3]
    url = f"/learn/{COURSE_KEY}/lessons/{lesson.key}/"
    client.get(url)  # the first visit records progress; a revisit writes nothing
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lesson_page_and_quiz_submission_queries_stay_fixed_as_data_grows(
    members: list[Any], make_user: Callable[..., User]
) -> None:
    first = login(Client(), make_user("learner", username="bench-one"))
    before = (_lesson_page(first), _quiz_submission(first)[0])
    assert Statement.objects.count() < 60

    _seed(learners=80, active=40)  # thousands of statements, a hundred more learners
    assert User.objects.filter(username__startswith="learner-").count() == 80
    assert Statement.objects.count() > 2000
    second = login(Client(), make_user("learner", username="bench-two"))
    after = (_lesson_page(second), _quiz_submission(second)[0])
    assert before == after
    assert after[0] == 11  # as test_engine_views has it for the lesson page
