"""Staff plan an activity on its pages: details, sessions in venue time, quotas, trainers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from cybercap.activities.models import Activity, SeatQuota, TrainerAssignment
from tests.conftest import login
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(staff_user: Any) -> Client:
    return login(Client(), staff_user)


def test_staff_plan_an_activity(staff: Client, thailand: Any) -> None:
    topic = TopicFactory(key="forensics")
    response = staff.post(
        "/activities/new/",
        {
            "kind": "exercise",
            "title": "Ransomware table-top",
            "topics": [topic.pk],
            "phase": "2",
            "start_date": "2026-10-05",
            "end_date": "2026-10-06",
            "city": "Yangon",
            "time_zone": "Asia/Yangon",
            "host_country": thailand.pk,
            "capacity": "24",
            "working_languages": "en, my",
        },
    )
    activity = Activity.objects.get()
    assert response["Location"] == f"/activities/{activity.pk}/plan/"
    assert (activity.kind, activity.status, activity.languages, list(activity.topics.all())) == (
        "exercise",
        "planned",
        ["en", "my"],
        [topic],
    )


def test_dates_out_of_order_are_refused_on_the_form(staff: Client) -> None:
    response = staff.post(
        "/activities/new/",
        {
            "kind": "training",
            "title": "Backwards",
            "phase": "1",
            "start_date": "2026-10-05",
            "end_date": "2026-10-01",
            "time_zone": "Asia/Bangkok",
            "capacity": "10",
        },
    )
    assert response.status_code == 200
    assert "The last day is before the first day." in response.content.decode()
    assert Activity.objects.count() == 0


def test_staff_edit_an_activity(staff: Client, make_activity: Any) -> None:
    activity = make_activity(title="Old title")
    response = staff.post(
        f"/activities/{activity.pk}/edit/",
        {
            "kind": "seminar",
            "title": "New title",
            "phase": "2",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "time_zone": "Asia/Bangkok",
            "capacity": "30",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.kind, activity.status) == ("New title", "seminar", "open")


def test_sessions_are_entered_in_venue_time_and_stored_in_utc(
    staff: Client, make_activity: Any, people: Any
) -> None:
    activity = make_activity(time_zone="Asia/Jakarta")
    response = staff.post(
        f"/activities/{activity.pk}/plan/",
        {
            "action": "session",
            "title": "Opening",
            "day": "2026-03-02",
            "starts": "09:00",
            "ends": "10:30",
            "speakers": [people["vn1"].pk],
        },
    )
    assert response.status_code == 302
    session = activity.sessions.get()
    assert (session.starts_at, session.ends_at) == (
        dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC),
    )
    assert [p.full_name for p in session.speakers.all()] == ["Nguyễn Thị Hằng"]
    response = staff.post(
        f"/activities/{activity.pk}/plan/",
        {
            "action": "session",
            "title": "Bad",
            "day": "2026-03-02",
            "starts": "11:00",
            "ends": "10:00",
        },
    )
    assert "A session must end after it starts." in response.content.decode()
    assert activity.sessions.count() == 1


def test_staff_set_quotas_and_assign_trainers(
    staff: Client, make_activity: Any, vietnam: Any, trainer: Any
) -> None:
    activity = make_activity()
    staff.post(
        f"/activities/{activity.pk}/plan/", {"action": "quota", "country": "VN", "seats": "3"}
    )
    staff.post(
        f"/activities/{activity.pk}/plan/", {"action": "trainer", "user": trainer.pk, "lead": "on"}
    )
    assert list(SeatQuota.objects.values_list("country__code", "seats")) == [("VN", 3)]
    assert list(TrainerAssignment.objects.values_list("user_id", "lead")) == [(trainer.pk, True)]
    page = staff.get(f"/activities/{activity.pk}/plan/").content.decode()
    assert "<td>Viet Nam</td><td>3</td><td>0</td><td>3</td>" in page
