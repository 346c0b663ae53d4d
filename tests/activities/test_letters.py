"""Invitation and visa support letters: who may download them, what they say, what is kept."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from cybercap.activities import services
from cybercap.activities.models import Registration, RegistrationStatus
from cybercap.core.models import AuditEntry
from tests.conftest import login
from tests.factories import PersonFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSPORT = {
    "name_in_passport": "SOMCHAI JAIDEE",
    "passport_number": "aa 1234567",
    "nationality": "Thai",
    "date_of_birth": "1985-04-02",
    "expiry_date": "2030-01-31",
}


@pytest.fixture
def letters_world(
    make_activity: Any, thailand: Any, vietnam: Any, people: Any, staff_user: Any, trainer: Any
) -> dict[str, Any]:
    activity = make_activity(quotas={thailand: 3, vietnam: 3}, venue="Royal Police Club")
    services.trainer_assign(activity=activity, user=trainer)
    participant = UserFactory(username="somchai")
    RoleFactory(user=participant, role="learner")
    th1 = people["th1"]
    th1.user = participant
    th1.latin_name = "Somchai Jaidee"
    th1.save()
    regs = {}
    for key in ("th1", "th2", "vn1"):
        regs[key] = services.nominate(activity=activity, person=people[key], by=staff_user)
    for key in ("th1", "vn1"):
        services.registration_decide(registration=regs[key], decision="approve", by=staff_user)
        regs[key].refresh_from_db()
    return {"activity": activity, "regs": regs, "participant": participant}


def _url(world: dict[str, Any], key: str, what: str) -> str:
    return f"/activities/{world['activity'].pk}/registrations/{world['regs'][key].pk}/{what}"


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _client(user: Any) -> Client:
    return login(Client(), user)


# --- the invitation -----------------------------------------------------------------------------


def test_the_invitation_names_the_participant_in_their_script_on_the_letterhead(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    response = _client(staff_user).get(_url(letters_world, "th1", "invitation.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "ASEAN Cyber Capacity Development Project" in text
    assert "Letter of invitation" in text
    assert "สมชาย ใจดี" in text
    assert "Somchai Jaidee" in text
    assert "Digital forensics for first responders" in text
    assert "2 March 2026 to 4 March 2026" in text
    reg = letters_world["regs"]["th1"]
    assert f"CCDP/{reg.activity_id}/{reg.pk}/INV" in text
    entry = AuditEntry.objects.filter(action="invitation_letter").get()
    assert (entry.object_id, entry.actor_id) == (str(reg.pk), staff_user.pk)
    assert entry.changes == {"by": [None, "staff"]}


def test_a_vietnamese_name_keeps_its_diacritics(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    text = _text(_client(staff_user).get(_url(letters_world, "vn1", "invitation.pdf")).content)
    assert "Nguyễn Thị Hằng" in text


def test_only_approved_participants_get_letters(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    client = _client(staff_user)
    response = client.get(_url(letters_world, "th2", "invitation.pdf"), follow=True)
    assert response.redirect_chain[-1][0] == f"/activities/{letters_world['activity'].pk}/letters/"
    assert "Only approved participants receive an invitation letter." in response.content.decode()
    assert client.get(_url(letters_world, "th2", "visa-letter/")).status_code == 302


# --- who may download ---------------------------------------------------------------------------


def test_the_participant_and_their_focal_point_may_download(
    letters_world: dict[str, Any], focal_th: Any
) -> None:
    url = _url(letters_world, "th1", "invitation.pdf")
    assert _client(letters_world["participant"]).get(url).status_code == 200
    assert _client(focal_th).get(url).status_code == 200
    assert _client(focal_th).get(_url(letters_world, "th1", "visa-letter/")).status_code == 200


def test_a_thai_focal_point_never_reaches_a_vietnamese_participants_letters(
    letters_world: dict[str, Any], focal_th: Any, focal_vn: Any
) -> None:
    client = _client(focal_th)
    assert client.get(_url(letters_world, "vn1", "invitation.pdf")).status_code == 404
    assert client.get(_url(letters_world, "vn1", "visa-letter/")).status_code == 404
    assert client.post(_url(letters_world, "vn1", "visa-letter/"), PASSPORT).status_code == 404
    page = client.get(f"/activities/{letters_world['activity'].pk}/letters/").content.decode()
    assert "สมชาย ใจดี" in page
    assert "Nguyễn" not in page
    assert _client(focal_vn).get(_url(letters_world, "th1", "invitation.pdf")).status_code == 404


def test_the_trainer_and_other_learners_get_nothing(
    letters_world: dict[str, Any], trainer: Any, make_user: Any
) -> None:
    url = _url(letters_world, "th1", "invitation.pdf")
    assert _client(trainer).get(url).status_code == 403
    assert (
        _client(trainer).get(f"/activities/{letters_world['activity'].pk}/letters/").status_code
        == 403
    )
    stranger = make_user("learner")
    assert _client(stranger).get(url).status_code == 404
    assert (
        _client(stranger).get(f"/activities/{letters_world['activity'].pk}/letters/").status_code
        == 404
    )


def test_the_letters_page_lists_what_each_may_see(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    staff_page = _client(staff_user).get(f"/activities/{letters_world['activity'].pk}/letters/")
    html = staff_page.content.decode()
    assert [r.person.full_name for r in staff_page.context["registrations"]] == [
        "สมชาย ใจดี",
        "สมหญิง รักไทย",
        "Nguyễn Thị Hằng",
    ]
    assert html.count("Send the link") == 2  # the two approved
    own = _client(letters_world["participant"]).get(
        f"/activities/{letters_world['activity'].pk}/letters/"
    )
    assert [r.person.full_name for r in own.context["registrations"]] == ["สมชาย ใจดี"]
    assert "Send the link" not in own.content.decode()


@pytest.mark.parametrize("extra", [0, 2])
def test_the_letters_page_runs_a_fixed_number_of_queries(
    letters_world: dict[str, Any],
    staff_user: Any,
    extra: int,
    django_assert_num_queries: Any,
    th_agency: Any,
) -> None:
    for _n in range(extra):
        Registration.objects.create(
            activity=letters_world["activity"],
            person=PersonFactory(agency=th_agency),
            country=th_agency.country,
            status=RegistrationStatus.APPROVED,
            nominated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    client = _client(staff_user)
    client.get(f"/activities/{letters_world['activity'].pk}/letters/")
    with django_assert_num_queries(5):  # session, grants, activity, registrations, banner
        client.get(f"/activities/{letters_world['activity'].pk}/letters/")


# --- the visa support letter --------------------------------------------------------------------


def test_a_visa_letter_is_made_from_typed_details_that_are_not_kept(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    response = _client(letters_world["participant"]).post(
        _url(letters_world, "th1", "visa-letter/"), PASSPORT
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert "Visa support letter" in text
    assert "AA1234567" in text
    assert "SOMCHAI JAIDEE" in text
    assert "To the Embassy or Consulate of Thailand" in text
    reg = Registration.objects.get(pk=letters_world["regs"]["th1"].pk)
    assert reg.visa_letter_requested_at is not None
    entry = AuditEntry.objects.filter(action="visa_letter").get()
    assert entry.changes == {"on_behalf": [None, False]}
    # The passport number is nowhere in the database.
    assert not AuditEntry.objects.filter(changes__icontains="1234567").exists()
    assert "1234567" not in str(list(Registration.objects.values()))


def test_staff_make_one_on_the_participants_behalf(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    response = _client(staff_user).post(_url(letters_world, "vn1", "visa-letter/"), PASSPORT)
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="visa_letter").get()
    assert (entry.actor_id, entry.changes) == (staff_user.pk, {"on_behalf": [None, True]})


def test_bad_passport_details_are_refused_and_nothing_is_recorded(
    letters_world: dict[str, Any], staff_user: Any
) -> None:
    bad = {
        **PASSPORT,
        "passport_number": "A-1",
        "expiry_date": "2026-03-04",
        "date_of_birth": "2999-01-01",
    }
    response = _client(staff_user).post(_url(letters_world, "th1", "visa-letter/"), bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["passport_number"] == [
        "A passport number has 5 to 20 letters and digits, without other signs."
    ]
    assert errors["expiry_date"] == [
        "The passport must still be valid after the activity's last day (2026-03-04)."
    ]
    assert errors["date_of_birth"] == ["Enter the date of birth shown in the passport."]
    assert (
        Registration.objects.get(pk=letters_world["regs"]["th1"].pk).visa_letter_requested_at
        is None
    )
    assert not AuditEntry.objects.filter(action="visa_letter").exists()
