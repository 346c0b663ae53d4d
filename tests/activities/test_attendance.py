"""Check-in per session: by hand or by badge code, by staff and the activity's trainers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from cybercap.activities import services
from cybercap.activities.models import Attendance, Registration
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_activity: Any, thailand: Any, people: Any, staff_user: Any, trainer: Any) -> Any:
    activity = make_activity(quotas={thailand: 3})
    services.trainer_assign(activity=activity, user=trainer)
    session = services.session_add(
        activity=activity,
        title="Opening",
        starts_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    approved = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    services.registration_decide(registration=approved, decision="approve", by=staff_user)
    waiting = services.nominate(activity=activity, person=people["th2"], by=staff_user)
    return activity, session, approved, waiting


def url(activity: Any, session: Any) -> str:
    return f"/activities/{activity.pk}/sessions/{session.pk}/check-in/"


def test_badge_codes_are_given_at_nomination_and_unambiguous(setting: Any) -> None:
    _activity, _session, approved, waiting = setting
    for registration in (approved, waiting):
        code = registration.badge_code
        assert len(code) == 8
        assert set(code) <= set(services.BADGE_ALPHABET)
        assert not set(code) & set("01OIL")
    assert approved.badge_code != waiting.badge_code


def test_a_trainer_checks_in_by_badge_code_as_a_scanner_types_it(
    setting: Any, trainer: Any
) -> None:
    activity, session, approved, _waiting = setting
    client = login(Client(), trainer)
    typed = f" {approved.badge_code.lower()}\n"
    response = client.post(url(activity, session), {"code": typed}, follow=True)
    assert "สมชาย ใจดี is checked in." in response.content.decode()
    assert "1 of 1 present." in response.content.decode()
    attendance = Attendance.objects.get()
    assert (attendance.registration_id, attendance.method, attendance.marked_by_id) == (
        approved.pk,
        "badge",
        trainer.pk,
    )
    assert Registration.objects.get(pk=approved.pk).status == "attended"
    # Scanning twice changes nothing.
    client.post(url(activity, session), {"code": approved.badge_code})
    assert Attendance.objects.count() == 1


def test_unknown_codes_and_unapproved_participants_are_refused(
    setting: Any, trainer: Any, make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity, session, _approved, waiting = setting
    other = make_activity(title="Other", quotas={thailand: 3})
    elsewhere = services.nominate(activity=other, person=people["th3"], by=staff_user)
    client = login(Client(), trainer)
    response = client.post(url(activity, session), {"code": "ZZZZ2222"}, follow=True)
    assert "No participant of this activity has the badge code “ZZZZ2222”." in (
        response.content.decode()
    )
    response = client.post(url(activity, session), {"code": elsewhere.badge_code}, follow=True)
    assert "No participant of this activity has the badge code" in response.content.decode()
    response = client.post(url(activity, session), {"code": waiting.badge_code}, follow=True)
    assert "สมหญิง รักไทย is “Nominated”, not expected at the sessions." in (
        response.content.decode()
    )
    assert Attendance.objects.count() == 0


def test_staff_mark_present_and_absent_by_hand(setting: Any, staff_user: Any) -> None:
    activity, session, approved, _waiting = setting
    client = login(Client(), staff_user)
    client.post(url(activity, session), {"registration": approved.pk, "present": "1"})
    assert list(Attendance.objects.values_list("registration_id", "method")) == [
        (approved.pk, "manual")
    ]
    client.post(url(activity, session), {"registration": approved.pk, "present": "0"})
    assert Attendance.objects.count() == 0
    page = client.get(url(activity, session)).content.decode()
    assert "0 of 1 present." in page
    assert "สมหญิง รักไทย" not in page  # not approved: not on the list


def test_only_staff_and_assigned_trainers_run_check_in(
    setting: Any, make_user: Any, thailand: Any, client_for: Any
) -> None:
    activity, session, _approved, _waiting = setting
    assert login(Client(), make_user("trainer")).get(url(activity, session)).status_code == 404
    assert client_for("focal_point", thailand).get(url(activity, session)).status_code == 403
    assert client_for("learner").get(url(activity, session)).status_code == 404
