"""The demo cohort: a few hundred synthetic learners whose paths give every analytics page
something to show; deterministic and idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from cybercap.accounts.models import User
from cybercap.demo.registry import DemoReport
from cybercap.elearning import analytics
from cybercap.elearning.demo import PER_SCALE, seed_elearning
from cybercap.elearning.models import Course, Enrolment, LessonProgress, ScenarioRun
from cybercap.network.models import Person
from cybercap.quizzes import scoring
from cybercap.quizzes.models import Attempt, Response
from tests.factories import AgencyFactory, CountryFactory
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


@pytest.fixture
def members(db: Any) -> list[Any]:
    countries = [
        CountryFactory(code="TH", name="Thailand", asean_joined=date(1967, 8, 8)),
        CountryFactory(code="KH", name="Cambodia", asean_joined=date(1999, 4, 30)),
        CountryFactory(code="VN", name="Viet Nam", asean_joined=date(1995, 7, 28)),
    ]
    for country in countries:
        for n in range(2):
            AgencyFactory(country=country, name=f"Demo unit {n} {country.code}", is_demo=True)
    return countries


def _fingerprint() -> list[tuple[Any, ...]]:
    return sorted(
        Attempt.objects.filter(user__username__startswith="learner-").values_list(
            "user__username", "test__key", "number", "score", "item_keys"
        )
    )


def test_the_cohort_fills_every_dashboard(
    members: list[Any], make_user: Callable[..., User]
) -> None:
    course = Course.objects.get(key=COURSE_KEY)
    report = DemoReport()
    seed_elearning(scale=1, report=report)
    assert report.counts["synthetic learners"] == PER_SCALE
    learners = User.objects.filter(username__startswith="learner-")
    assert learners.count() == PER_SCALE
    assert set(learners.values_list("role_assignments__role", flat=True)) == {"learner"}
    assert Enrolment.objects.filter(course=course, is_demo=True).count() == PER_SCALE
    # Names in their scripts, the Latin form beside.
    thai = Person.objects.filter(country__code="TH", user__in=learners).first()
    assert thai is not None and any("\u0e00" <= ch <= "\u0e7f" for ch in thai.full_name)
    assert thai.latin_name.isascii() and thai.latin_name
    khmer = Person.objects.filter(country__code="KH", user__in=learners).first()
    assert khmer is not None and any("\u1780" <= ch <= "\u17ff" for ch in khmer.full_name)
    assert Person.objects.filter(user__in=learners).values("full_name").distinct().count() > 30

    # Every score is what the scoring rules give the stored answer.
    for response in Response.objects.filter(attempt__is_demo=True).select_related("item")[:500]:
        assert response.score == scoring.score(
            response.item.type, response.item.correct, response.answer
        )
    assert ScenarioRun.objects.filter(user__in=learners, finished_at__isnull=False).exists()

    staff = make_user("staff")
    countries = analytics.completions_by_country(analytics.completions(user=staff, course=course))
    assert [r.country for r in countries] == ["KH", "TH", "VN"]
    assert all(r.completed > 0 and r.started > r.completed for r in countries)
    assert sum(r.enrolled for r in countries) == PER_SCALE
    times = analytics.time_spent(user=staff, course=course)
    assert all(r.minutes_per_learner and r.minutes_per_learner > 20 for r in times)
    funnel = analytics.funnel(user=staff, course=course)
    assert funnel.not_started > 0 and funnel.completed > 0
    stops = [s.stopped for s in funnel.steps]
    assert sum(1 for n in stops if n) > 5  # drop-outs spread along the course
    assert stops[0] > stops[-1]
    items = analytics.items_for_report(user=staff, course=course)
    analysed = [r for r in items if "few" not in r.stats.flags]
    assert len(analysed) > 50
    assert all(r.stats.point_biserial is not None for r in analysed)
    # Stronger learners do better on items: discrimination is positive on the whole.
    mean = sum(r.stats.point_biserial or 0 for r in analysed) / len(analysed)
    assert mean > 0.1
    difficulties = [r.stats.difficulty or 0 for r in analysed]
    assert min(difficulties) < 0.6 < max(difficulties)


def test_it_is_deterministic_and_runs_once(members: list[Any]) -> None:
    seed_elearning(scale=1, report=DemoReport())
    first = _fingerprint()
    progress = LessonProgress.objects.filter(user__username__startswith="learner-").count()
    again = DemoReport()
    seed_elearning(scale=1, report=again)
    assert again.counts == {}
    assert _fingerprint() == first

    Person.objects.filter(user__username__startswith="learner-").delete()
    User.objects.filter(username__startswith="learner-").delete()
    seed_elearning(scale=1, report=DemoReport())
    assert _fingerprint() == first
    assert LessonProgress.objects.filter(user__username__startswith="learner-").count() == (
        progress
    )
