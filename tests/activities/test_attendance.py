"""Check-in per session: by hand or by badge code, by staff and the activity's trainers only."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from django.test import Client

from cybercap.activities import printing, services
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


def _pdf_text(data: bytes) -> tuple[int, str, set[str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return len(reader.pages), text, fonts


def test_badges_carry_the_name_in_its_script_and_the_code_as_qr(
    setting: Any, trainer: Any, people: Any, staff_user: Any
) -> None:
    activity, _session, approved, _waiting = setting
    people["th3"].latin_name = "Prasert Mankong"
    people["th3"].save(update_fields=["latin_name"])
    third = services.nominate(activity=activity, person=people["th3"], by=staff_user)
    services.registration_decide(registration=third, decision="approve", by=staff_user)
    response = login(Client(), trainer).get(f"/activities/{activity.pk}/badges.pdf")
    assert response["Content-Type"] == "application/pdf"
    pages, text, fonts = _pdf_text(response.content)
    assert pages == 1
    assert approved.badge_code in text
    assert third.badge_code in text
    assert "Prasert Mankong" in text
    assert "สมหญิง" not in text  # only nominated: no badge yet
    assert any("Noto-Sans-Thai" in font for font in fonts)
    # The QR code is the badge code, as segno encodes it.
    assert printing.qr_data_uri(approved.badge_code).startswith("data:image/svg+xml")


def test_the_sign_in_sheet_lists_the_expected_participants_in_venue_time(
    setting: Any, staff_user: Any
) -> None:
    activity, session, approved, _waiting = setting
    response = login(Client(), staff_user).get(
        f"/activities/{activity.pk}/sessions/{session.pk}/sign-in.pdf"
    )
    _pages, text, _fonts = _pdf_text(response.content)
    assert "Opening, 2026-03-02 09:00" in text  # 02:00 UTC in Bangkok
    assert approved.badge_code in text
    assert "Signature" in text


def test_printouts_are_for_staff_and_assigned_trainers(
    setting: Any, client_for: Any, thailand: Any
) -> None:
    activity, session, _approved, _waiting = setting
    focal = client_for("focal_point", thailand)
    assert focal.get(f"/activities/{activity.pk}/badges.pdf").status_code == 403
    assert (
        focal.get(f"/activities/{activity.pk}/sessions/{session.pk}/sign-in.pdf").status_code == 403
    )
