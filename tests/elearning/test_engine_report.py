"""Learner figures by country: staff see every country, a focal point only their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import User
from cybercap.elearning import selectors, services
from cybercap.elearning.models import Course, Lesson
from cybercap.quizzes import services as quiz_services
from tests.factories import AgencyFactory, PersonFactory
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


def _learner_in(make_user: Callable[..., User], country: Any, *, passes: bool) -> User:
    course = Course.objects.get(key=COURSE_KEY)
    user = make_user("learner")
    PersonFactory(agency=AgencyFactory(country=country), user=user)
    lesson = Lesson.objects.filter(module__course=course).order_by("module__position").first()
    assert lesson is not None and course.pre_test is not None
    services.lesson_complete(user=user, lesson=lesson)
    attempt = quiz_services.attempt_start(user=user, test=course.pre_test)
    items = quiz_services.attempt_items(attempt)
    answers = {i.key: i.correct for i in items} if passes else {}
    quiz_services.attempt_submit(attempt=attempt, answers=answers)
    return user


def test_figures_by_country_are_scoped(
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    thailand: Any,
    vietnam: Any,
    django_assert_num_queries: Any,
) -> None:
    course = Course.objects.get(key=COURSE_KEY)
    _learner_in(make_user, thailand, passes=True)
    _learner_in(make_user, thailand, passes=False)
    _learner_in(make_user, vietnam, passes=True)
    make_user("learner")  # no person record: not counted
    staff = make_user("staff")
    rows = selectors.course_report_for_user(user=staff, course=course)
    assert [(r.country, r.enrolled, r.started, r.pre_test_mean) for r in rows] == [
        ("TH", 2, 2, 0.5),
        ("VN", 1, 1, 1.0),
    ]
    focal = make_user("focal_point", thailand)
    rows = selectors.course_report_for_user(user=focal, course=course)
    assert [(r.country, r.enrolled) for r in rows] == [("TH", 2)]

    page = client_for("focal_point", thailand).get(f"/learn/{COURSE_KEY}/report/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<td>TH</td>" in body
    assert "<td>VN</td>" not in body
    staff_page = client_for("staff").get(f"/learn/{COURSE_KEY}/report/").content.decode()
    assert "<td>TH</td>" in staff_page and "<td>VN</td>" in staff_page
    assert client_for("learner").get(f"/learn/{COURSE_KEY}/report/").status_code == 403
    assert client_for("trainer").get(f"/learn/{COURSE_KEY}/report/").status_code == 403


def test_report_reads_a_fixed_number_of_queries(
    make_user: Callable[..., User], thailand: Any, django_assert_num_queries: Any
) -> None:
    course = Course.objects.get(key=COURSE_KEY)
    staff = make_user("staff")
    selectors.course_report_for_user(user=staff, course=course)  # grants cached
    with django_assert_num_queries(5):
        selectors.course_report_for_user(user=staff, course=course)
    _learner_in(make_user, thailand, passes=True)
    with django_assert_num_queries(5):
        selectors.course_report_for_user(user=staff, course=course)
