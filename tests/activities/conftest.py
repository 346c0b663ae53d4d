"""Fixtures for activities: a regional activity with seats for Thailand and Viet Nam."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cybercap.activities import services
from cybercap.activities.models import Activity, ActivityStatus
from tests.factories import AgencyFactory, PersonFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_user(make_user: Any) -> Any:
    return make_user("staff", is_staff=True)


@pytest.fixture
def th_agency(thailand: Any) -> Any:
    return AgencyFactory(country=thailand, name="Thai Police Cyber Unit", acronym="TCSD")


@pytest.fixture
def vn_agency(vietnam: Any) -> Any:
    return AgencyFactory(country=vietnam, name="Cyber Police Department", acronym="A05")


@pytest.fixture
def make_activity(staff_user: Any, thailand: Any) -> Any:
    def make(
        *, status: str = ActivityStatus.OPEN, quotas: dict[Any, int] | None = None, **fields: Any
    ) -> Activity:
        values: dict[str, Any] = {
            "kind": "training",
            "title": "Digital forensics for first responders",
            "phase": 2,
            "start_date": dt.date(2026, 3, 2),
            "end_date": dt.date(2026, 3, 4),
            "city": "Bangkok",
            "time_zone": "Asia/Bangkok",
            "host_country": thailand,
            "capacity": 20,
        }
        values.update(fields)
        activity = services.activity_create(**values)
        if status == ActivityStatus.OPEN:
            services.activity_transition(activity=activity, to_status=status, by=staff_user)
        for country, seats in (quotas or {}).items():
            services.quota_set(activity=activity, country=country, seats=seats)
        return activity

    return make


@pytest.fixture
def focal_th(make_user: Any, thailand: Any) -> Any:
    return make_user("focal_point", thailand)


@pytest.fixture
def focal_vn(make_user: Any, vietnam: Any) -> Any:
    return make_user("focal_point", vietnam)


@pytest.fixture
def people(th_agency: Any, vn_agency: Any) -> dict[str, Any]:
    return {
        "th1": PersonFactory(agency=th_agency, full_name="สมชาย ใจดี"),
        "th2": PersonFactory(agency=th_agency, full_name="สมหญิง รักไทย"),
        "th3": PersonFactory(agency=th_agency, full_name="ประเสริฐ มั่นคง"),
        "vn1": PersonFactory(agency=vn_agency, full_name="Nguyễn Thị Hằng"),
        "vn2": PersonFactory(agency=vn_agency, full_name="Trần Văn Đức"),
    }


@pytest.fixture
def trainer(make_user: Any) -> Any:
    return make_user("trainer", username="trainer-x")


def other_user() -> Any:
    return UserFactory()
