"""The demo activities: phase one's shape, phase two in progress, idempotent, scoped logins."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from cybercap.accounts.models import User
from cybercap.activities.models import (
    Activity,
    Attendance,
    Registration,
    SeatQuota,
    Session,
    TrainerAssignment,
)
from tests.conftest import login

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_the_demo_has_phase_one_and_phase_two_and_runs_twice_without_change() -> None:
    output = run_demo()
    phase_one = Activity.objects.filter(phase=1, is_demo=True)
    assert phase_one.count() == 15
    assert {a.start_date.year for a in phase_one} == {2016, 2017, 2018}
    assert set(phase_one.values_list("status", flat=True)) == {"reported"}
    assert list(
        Activity.objects.filter(phase=2).order_by("start_date").values_list("status", flat=True)
    ) == ["reported", "delivered", "confirmed", "open", "planned"]
    attended = Registration.objects.filter(activity__phase=1, status="attended")
    assert attended.values("country").distinct().count() == 11
    open_activity = Activity.objects.get(phase=2, status="open")
    nominations = Registration.objects.filter(activity=open_activity)
    assert set(nominations.values_list("country__code", flat=True)) == {
        "ID",
        "KH",
        "MY",
        "PH",
        "TH",
        "VN",
    }
    assert set(nominations.values_list("status", flat=True)) == {
        "approved",
        "nominated",
        "wait_listed",
    }
    # No country holds more seats than its quota.
    for quota in SeatQuota.objects.all():
        taken = Registration.objects.filter(
            activity=quota.activity_id,
            country=quota.country_id,
            status__in=["nominated", "approved", "confirmed", "attended"],
        ).count()
        assert taken <= quota.seats
    assert TrainerAssignment.objects.filter(user__username="demo-trainer").count() == 3
    # Every attended participant was present at most, not all, of the sessions.
    attended_any = Attendance.objects.values("registration").distinct().count()
    assert attended_any == Registration.objects.filter(status="attended").count()
    assert (
        0
        < Attendance.objects.count()
        < Session.objects.filter(activity__registrations__status="attended").count()
    )
    assert "activities created: 20" in output
    counts = (Activity.objects.count(), Registration.objects.count())
    output = run_demo()
    assert (Activity.objects.count(), Registration.objects.count()) == counts
    assert "activities created: 0" in output


def test_demo_logins_see_their_scope() -> None:
    run_demo()
    focal_th = login(Client(), User.objects.get(username="demo-focal-th"))
    open_activity = Activity.objects.get(phase=2, status="open")
    page = focal_th.get(f"/activities/{open_activity.pk}/nominations/").content.decode()
    vn_names = Registration.objects.filter(activity=open_activity, country__code="VN").values_list(
        "person__full_name", flat=True
    )
    assert len(vn_names) >= 1
    assert all(name not in page for name in vn_names)
    trainer = login(Client(), User.objects.get(username="demo-trainer"))
    listed = re.findall(
        r'<a href="/activities/\d+/">', trainer.get("/activities/").content.decode()
    )
    assert len(listed) == 3
    learner = login(Client(), User.objects.get(username="demo-learner"))
    confirmed = Activity.objects.get(phase=2, status="confirmed")
    assert learner.get(f"/activities/{confirmed.pk}/").status_code == 200
