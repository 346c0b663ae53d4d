"""Fixtures for certificates: a Bangkok training with three sessions and people from TH, VN, KH."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cybercap.activities import services as activity_services
from cybercap.activities.models import Activity, ActivityStatus, Registration
from cybercap.certificates.models import Certificate
from cybercap.certificates.services import issue_certificate
from tests.factories import AgencyFactory, CountryFactory, PersonFactory


@pytest.fixture
def cambodia(db: Any) -> Any:
    return CountryFactory(code="KH", name="Cambodia", time_zone="Asia/Phnom_Penh")


@pytest.fixture
def staff(make_user: Callable[..., Any]) -> Any:
    return make_user("staff", is_staff=True, username="staff-x")


@pytest.fixture
def people(thailand: Any, vietnam: Any, cambodia: Any) -> dict[str, Any]:
    th_agency = AgencyFactory(country=thailand, name="Thai Police Cyber Unit")
    vn_agency = AgencyFactory(country=vietnam, name="Cyber Police Department")
    kh_agency = AgencyFactory(country=cambodia, name="Cybercrime Office")
    return {
        "th": PersonFactory(agency=th_agency, full_name="สมชาย ใจดี", email="somchai@example.org"),
        "vn": PersonFactory(
            agency=vn_agency, full_name="Nguyễn Thị Hằng", email="hang@example.org"
        ),
        "kh": PersonFactory(agency=kh_agency, full_name="សុខ ចាន់ថា", email="sok@example.org"),
    }


@pytest.fixture
def activity(staff: Any, thailand: Any, vietnam: Any, cambodia: Any) -> Activity:
    activity = activity_services.activity_create(
        kind="training",
        title="Mobile device forensics, level 2",
        phase=2,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 4),
        city="Bangkok",
        time_zone="Asia/Bangkok",
        host_country=thailand,
        capacity=20,
    )
    activity_services.activity_transition(
        activity=activity, to_status=ActivityStatus.OPEN, by=staff
    )
    for country in (thailand, vietnam, cambodia):
        activity_services.quota_set(activity=activity, country=country, seats=3)
    for day in (2, 3, 4):
        activity_services.session_add(
            activity=activity,
            title=f"Day {day - 1}",
            starts_at=dt.datetime(2026, 3, day, 2, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 3, day, 9, 0, tzinfo=dt.UTC),
        )
    return activity


@pytest.fixture
def registered(activity: Activity, people: dict[str, Any], staff: Any) -> dict[str, Registration]:
    """Everyone approved; the Thai attended three sessions, the Vietnamese two, the Khmer one."""
    out = {}
    sessions = list(activity.sessions.order_by("starts_at"))
    for key, attended in (("th", 3), ("vn", 2), ("kh", 1)):
        registration = activity_services.nominate(activity=activity, person=people[key], by=staff)
        activity_services.registration_decide(
            registration=registration, decision="approve", by=staff
        )
        registration.refresh_from_db()
        for session in sessions[:attended]:
            activity_services.attendance_mark(
                session=session, registration=registration, present=True, by=staff
            )
        out[key] = registration
    return out


@pytest.fixture
def attendance_cert(activity: Activity, people: dict[str, Any], staff: Any) -> Callable[..., Any]:
    def make(key: str = "th") -> Certificate:
        return issue_certificate(
            holder_person=people[key],
            kind="attendance",
            title=activity.title,
            starts=activity.start_date,
            ends=activity.end_date,
            activity=activity,
            issued_by=staff,
        )

    return make
