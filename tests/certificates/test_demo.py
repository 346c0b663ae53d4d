"""The demo data set: attendance certificates for the delivered demo activities, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from cybercap.activities.models import Registration
from cybercap.certificates import codes
from cybercap.certificates.models import Certificate

pytestmark = pytest.mark.django_db


def test_delivered_demo_activities_have_attendance_certificates_once() -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    certificates = Certificate.objects.select_related("activity")
    count = certificates.count()
    assert count > 0
    for cert in certificates:
        assert cert.activity is not None and cert.activity.is_demo
        assert cert.activity.status in ("delivered", "reported")
        assert cert.kind == "attendance"
        assert codes.normalise(cert.code) == cert.code
    # Each went to a participant present at three quarters of the sessions or more.
    rows = Registration.objects.annotate(
        n=Count("attendances"), s=Count("activity__sessions")
    ).values_list("activity_id", "person_id", "n")
    attended = {(activity, person): n for activity, person, n in rows}
    sessions = dict(
        Registration.objects.values("activity_id")
        .annotate(s=Count("activity__sessions", distinct=True))
        .values_list("activity_id", "s")
    )
    for cert in certificates:
        key = (cert.activity_id, cert.holder_person_id)
        assert 4 * attended[key] >= 3 * sessions[cert.activity_id]
    # Not everyone qualifies, and nobody has two for one activity.
    holders = set(certificates.values_list("activity_id", "holder_person_id"))
    assert len(holders) == count
    assert (
        count < Registration.objects.filter(activity__status__in=["delivered", "reported"]).count()
    )
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert Certificate.objects.count() == count
