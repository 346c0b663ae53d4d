"""Course analytics: completions by country and agency, time spent, the drop-out funnel and
item analysis, scoped by role (a focal point sees only their country), in fixed queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cybercap.accounts.models import User
from cybercap.elearning import analytics
from cybercap.elearning.models import Course, Enrolment, Lesson, LessonProgress
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.analysis import item_analysis
from cybercap.quizzes.models import Attempt
from cybercap.quizzes.models import Test as QuizTest
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]
T0 = timezone.now() - timedelta(days=3)


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def _lessons(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course).order_by("module__position", "position")
    )


def _learner(
    make_user: Callable[..., User],
    course: Course,
    agency: Any,
    *,
    reads: int,
    minutes: int = 10,
    final: bool | None = None,
) -> User:
    """A learner of ``agency`` who opened and read the first ``reads`` lessons, ``minutes``
    each, and took the final test (passing or not) when ``final`` is given."""
    user = make_user("learner")
    PersonFactory(agency=agency, user=user)
    Enrolment.objects.create(user=user, course=course)
    for n, lesson in enumerate(_lessons(course)[:reads]):
        start = T0 + timedelta(hours=n)
        LessonProgress.objects.create(
            user=user,
            lesson=lesson,
            first_seen_at=start,
            completed_at=start + timedelta(minutes=minutes),
        )
    if final is not None:
        assert course.final_test is not None
        attempt = quiz_services.attempt_start(user=user, test=course.final_test)
        items = quiz_services.attempt_items(attempt)
        answers = {i.key: i.correct for i in items} if final else {}
        quiz_services.attempt_submit(attempt=attempt, answers=answers, items=items)
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=T0, submitted_at=T0 + timedelta(minutes=30)
        )
    return user


@pytest.fixture
def world(make_user: Callable[..., User], course: Course, thailand: Any, vietnam: Any) -> Any:
    police = AgencyFactory(country=thailand, name="Royal Thai Police")
    dsi = AgencyFactory(country=thailand, name="Department of Special Investigation")
    hanoi = AgencyFactory(country=vietnam, name="Cyber Security Department")
    _learner(make_user, course, police, reads=3, final=True)  # completer
    _learner(make_user, course, police, reads=2, minutes=500)  # drop-out, a page left open
    _learner(make_user, course, dsi, reads=0)  # enrolled, never opened a lesson
    _learner(make_user, course, hanoi, reads=1, final=False)  # failed the final test
    stranger = make_user("learner")  # no person record: not counted
    Enrolment.objects.create(user=stranger, course=course)
    return {"th": thailand, "vn": vietnam}


def test_completions_by_country_and_agency(
    world: Any, course: Course, make_user: Callable[..., User]
) -> None:
    staff = make_user("staff")
    rows = analytics.completions(user=staff, course=course)
    assert [(r.country, r.agency, r.enrolled, r.started, r.completed) for r in rows] == [
        ("TH", "Department of Special Investigation", 1, 0, 0),
        ("TH", "Royal Thai Police", 2, 2, 1),
        ("VN", "Cyber Security Department", 1, 1, 0),
    ]
    countries = analytics.completions_by_country(rows)
    assert [(r.country, r.enrolled, r.started, r.completed, r.rate) for r in countries] == [
        ("TH", 3, 2, 1, 33),
        ("VN", 1, 1, 0, 0),
    ]
    focal = make_user("focal_point", world["th"])
    mine = analytics.completions(user=focal, course=course)
    assert {r.country for r in mine} == {"TH"}
    assert analytics.completions(user=make_user("learner"), course=course) == []


def test_time_spent_is_capped(world: Any, course: Course, make_user: Callable[..., User]) -> None:
    rows = analytics.time_spent(user=make_user("staff"), course=course)
    by = {r.country: r for r in rows}
    # TH: 3 lessons x 10 min + 2 lessons x 500 min capped at 60 + the final test, 30 min.
    assert by["TH"].lesson_time == timedelta(minutes=30 + 120)
    assert by["TH"].quiz_time == timedelta(minutes=30)
    assert (by["TH"].learners, by["TH"].minutes_per_learner, by["TH"].hours) == (2, 90, 3.0)
    # VN: one lesson of 10 min and a 30-minute final test.
    assert by["VN"].total == timedelta(minutes=40)
    focal = make_user("focal_point", world["vn"])
    assert [r.country for r in analytics.time_spent(user=focal, course=course)] == ["VN"]


def test_the_funnel_shows_where_learners_stop(
    world: Any, course: Course, make_user: Callable[..., User]
) -> None:
    result = analytics.funnel(user=make_user("staff"), course=course)
    lessons = _lessons(course)
    assert (result.enrolled, result.completed, result.not_started) == (4, 1, 1)
    assert [s.lesson.pk for s in result.steps] == [lesson.pk for lesson in lessons]
    reached = [s.reached for s in result.steps[:4]]
    stopped = [s.stopped for s in result.steps[:4]]
    assert reached == [3, 2, 1, 0]
    # The VN learner stopped at lesson 1, the TH drop-out at lesson 2; the completer (at 3)
    # is no drop-out.
    assert stopped == [1, 1, 0, 0]
    assert sum(s.stopped for s in result.steps) == 2
    assert result.rows[0][1] == 75  # 3 of 4 enrolled reached the first lesson

    focal = make_user("focal_point", world["vn"])
    mine = analytics.funnel(user=focal, course=course)
    assert (mine.enrolled, [s.stopped for s in mine.steps[:2]]) == (1, [1, 0])


def test_item_analysis_matches_the_pure_computation(
    world: Any, course: Course, make_user: Callable[..., User]
) -> None:
    rows = analytics.items_for_report(user=make_user("staff"), course=course)
    tests = [m.quiz_id for m in course.modules.exclude(quiz=None)] + [course.final_test_id]
    assert len(rows) == len(
        {i for t in QuizTest.objects.filter(pk__in=tests) for i in t.items.all()}
    )
    attempts = [
        {r.item.key: r.score for r in a.responses.select_related("item")}
        for a in Attempt.objects.filter(submitted_at__isnull=False)
    ]
    expected = {s.key: s for s in item_analysis(attempts)}
    answered = [r for r in rows if r.stats.responses]
    assert answered and len(answered) == len(expected)
    for row in answered:
        assert row.stats == expected[row.item.key]
        # The completer got it right, the VN learner wrong: the item is answered twice
        # (when both drew it) with difficulty 1/2.
        assert row.stats.difficulty in (0.0, 0.5, 1.0)
    assert all(r.tests for r in rows)
    # A focal point's analysis counts only their country's answers.
    focal = make_user("focal_point", world["vn"])
    vn_rows = analytics.items_for_report(user=focal, course=course)
    assert {r.stats.difficulty for r in vn_rows if r.stats.responses} == {0.0}


def test_pages_for_staff_and_focal_points_only(
    world: Any, course: Course, make_user: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    url = f"/learn/{COURSE_KEY}/analytics/"
    staff = client_for("staff").get(url)
    assert staff.status_code == 200
    body = staff.content.decode()
    assert '<th scope="row">Royal Thai Police</th><td>2</td><td>2</td><td>1</td><td>50%</td>' in (
        body
    )
    assert '<th scope="row">VN</th>' in body
    focal = client_for("focal_point", world["th"]).get(url).content.decode()
    assert '<th scope="row">TH</th>' in focal
    # the page's random CSRF token may hold the letters "VN": look at rows and names instead
    assert '<th scope="row">VN</th>' not in focal and ">VN<" not in focal
    assert "Viet Nam" not in focal and "Cyber Security Department" not in focal
    for role in ("learner", "trainer", "reviewer"):
        assert client_for(role).get(url).status_code == 403
    items = client_for("staff").get(f"/learn/{COURSE_KEY}/analytics/items/")
    assert items.status_code == 200
    assert "Point-biserial" in items.content.decode()
    assert client_for("staff").get("/learn/no-such-course/analytics/").status_code == 404


@pytest.mark.parametrize("page", ["analytics/", "analytics/items/"])
def test_query_counts_do_not_grow_with_learners(
    page: str,
    course: Course,
    make_user: Callable[..., User],
    thailand: Any,
    django_assert_max_num_queries: Any,
) -> None:
    police = AgencyFactory(country=thailand)
    client = login(Client(), make_user("staff"))
    url = f"/learn/{COURSE_KEY}/{page}"
    _learner(make_user, course, police, reads=2, final=True)
    client.get(url)  # warm the session cache
    with django_assert_max_num_queries(12) as one:
        assert client.get(url).status_code == 200
    for n in range(3):
        _learner(make_user, course, AgencyFactory(country=thailand), reads=n + 1, final=n == 0)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
