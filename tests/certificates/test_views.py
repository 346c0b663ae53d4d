"""The signed-in pages: one's certificates, the PDF, staff's list and revocation, and issuing
attendance certificates for an activity. Every view is tried for every role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.activities import services as activity_services
from cybercap.certificates.models import Certificate
from cybercap.certificates.services import issue_certificate
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(make_user: Callable[..., Any], people: dict[str, Any]) -> Any:
    """A learner whose account is linked to the Thai participant."""
    user = make_user("learner", username="somchai")
    people["th"].user = user
    people["th"].save()
    return user


@pytest.fixture
def personas(
    make_user: Callable[..., Any],
    holder: Any,
    staff: Any,
    activity: Any,
    thailand: Any,
    vietnam: Any,
) -> dict[str, Any]:
    trainer = make_user("trainer", username="assigned-trainer")
    activity_services.trainer_assign(activity=activity, user=trainer)
    return {
        "holder": holder,
        "staff": staff,
        "trainer": trainer,
        "other_trainer": make_user("trainer", username="other-trainer"),
        "focal_th": make_user("focal_point", thailand, username="focal-th"),
        "focal_vn": make_user("focal_point", vietnam, username="focal-vn"),
        "investigator_th": make_user("investigator", thailand, username="inv-th"),
        "reviewer": make_user("reviewer", username="reviewer-x"),
        "learner": make_user("learner", username="another-learner"),
    }


def _client(user: Any) -> Client:
    return login(Client(), user)


# --- the PDF ---------------------------------------------------------------------------------

ACTIVITY_PDF = {
    "holder": 200,
    "staff": 200,
    "trainer": 200,
    "focal_th": 200,
    "other_trainer": 404,
    "focal_vn": 404,
    "investigator_th": 404,
    "reviewer": 404,
    "learner": 404,
}


def test_an_activity_certificate_pdf_is_for_holder_staff_trainers_and_the_countrys_focal_point(
    personas: dict[str, Any], attendance_cert: Callable[..., Any]
) -> None:
    cert = attendance_cert("th")
    url = f"/certificates/{cert.code}.pdf"
    got = {name: _client(user).get(url).status_code for name, user in personas.items()}
    assert got == ACTIVITY_PDF
    response = _client(personas["holder"]).get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="certificate-{cert.code}.pdf"'
    assert response.content.startswith(b"%PDF-")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_a_course_certificate_pdf_is_for_holder_and_staff_only(
    personas: dict[str, Any],
) -> None:
    cert = issue_certificate(
        holder_user=personas["holder"],
        kind="achievement",
        title="First responders",
        starts=dt.date(2026, 1, 5),
        ends=dt.date(2026, 2, 5),
        course_key="first-responder",
    )
    url = f"/certificates/{cert.code}.pdf"
    got = {name: _client(user).get(url).status_code for name, user in personas.items()}
    assert got == {name: 200 if name in ("holder", "staff") else 404 for name in personas}


def test_an_unknown_code_pdf_is_not_found(personas: dict[str, Any]) -> None:
    assert _client(personas["staff"]).get("/certificates/AAAA-BBBB-CCCC.pdf").status_code == 404


# --- my certificates -------------------------------------------------------------------------


def test_my_certificates_lists_only_mine(
    personas: dict[str, Any], attendance_cert: Callable[..., Any]
) -> None:
    mine = attendance_cert("th")
    theirs = attendance_cert("vn")
    html = _client(personas["holder"]).get("/certificates/").content.decode()
    assert mine.code in html
    assert theirs.code not in html
    assert f'href="/certificates/{mine.code}.pdf"' in html
    staff_html = _client(personas["staff"]).get("/certificates/").content.decode()
    assert theirs.code not in staff_html
    assert "You have no certificate yet." in staff_html
    assert 'href="/certificates/manage/"' in staff_html
    for name in ("learner", "focal_th", "trainer"):
        body = _client(personas[name]).get("/certificates/").content.decode()
        assert mine.code not in body
    assert Client().get("/certificates/").status_code == 302


def test_the_holder_chooses_initials_for_their_certificates_only(
    personas: dict[str, Any], attendance_cert: Callable[..., Any]
) -> None:
    mine = attendance_cert("th")
    theirs = attendance_cert("vn")
    client = _client(personas["holder"])
    response = client.post("/certificates/preferences/", {"initials_only": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.show_initials_only, theirs.show_initials_only) == (True, False)
    assert 'id="id_initials_only" checked' in client.get("/certificates/").content.decode()
    assert "ส. จ." in Client().get(f"/verify/{mine.code}").content.decode()
    client.post("/certificates/preferences/", {})
    mine.refresh_from_db()
    assert mine.show_initials_only is False
    assert client.get("/certificates/preferences/").status_code == 405
    assert Client().post("/certificates/preferences/").status_code == 302


@pytest.mark.parametrize("count", [1, 3])
def test_my_certificates_reads_a_fixed_number_of_queries(
    count: int,
    holder: Any,
    activity: Any,
    django_assert_num_queries: Any,
) -> None:
    for n in range(count):
        issue_certificate(
            holder_user=holder,
            kind="achievement",
            title=f"Course {n}",
            starts=dt.date(2026, 1, 1),
            ends=dt.date(2026, 1, 2),
            course_key=f"course-{n}",
        )
    client = _client(holder)
    client.get("/certificates/")
    # user, grants, certificates (the session is in the cache; the demo flag too)
    with django_assert_num_queries(3):
        assert client.get("/certificates/").status_code == 200


# --- staff: list, search, revoke -------------------------------------------------------------


def test_the_staff_list_is_for_staff_only(
    personas: dict[str, Any], attendance_cert: Callable[..., Any]
) -> None:
    cert = attendance_cert("th")
    for name, user in personas.items():
        for url in ("/certificates/manage/", f"/certificates/manage/{cert.code}/"):
            expected = 200 if name == "staff" else 403
            assert (name, _client(user).get(url).status_code) == (name, expected)
    assert Client().get("/certificates/manage/").status_code == 302


def test_staff_search_by_name_code_e_mail_kind_and_status(
    staff: Any, attendance_cert: Callable[..., Any]
) -> None:
    th = attendance_cert("th")
    vn = attendance_cert("vn")
    client = _client(staff)

    def found(**params: str) -> list[str]:
        page = client.get("/certificates/manage/", params).context["page"]
        return sorted(cert.code for cert in page.object_list)

    assert found() == sorted([th.code, vn.code])
    assert found(q="Nguyễn") == [vn.code]
    assert found(q=th.code.lower().replace("-", "")) == [th.code]
    assert found(q="somchai@example.org") == [th.code]
    assert found(kind="achievement") == []
    assert found(status="revoked") == []
    client.post(f"/certificates/manage/{vn.code}/revoke/", {"reason": "Duplicate"})
    assert found(status="revoked") == [vn.code]
    assert found(status="valid") == [th.code]


@pytest.mark.parametrize("count", [1, 3])
def test_the_staff_list_reads_a_fixed_number_of_queries(
    count: int,
    staff: Any,
    activity: Any,
    make_user: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    for n in range(count):
        person = PersonFactory(agency=AgencyFactory(), full_name=f"Participant {n}")
        issue_certificate(
            holder_person=person,
            kind="attendance",
            title=activity.title,
            starts=activity.start_date,
            ends=activity.end_date,
            activity=activity,
        )
    client = _client(staff)
    client.get("/certificates/manage/")
    # user, grants, OTP device, count, page
    with django_assert_num_queries(5):
        assert client.get("/certificates/manage/", {"q": "Participant"}).status_code == 200


def test_staff_revoke_with_a_reason(
    personas: dict[str, Any], attendance_cert: Callable[..., Any]
) -> None:
    cert = attendance_cert("th")
    url = f"/certificates/manage/{cert.code}/revoke/"
    for name in ("holder", "trainer", "focal_th", "learner"):
        assert _client(personas[name]).post(url, {"reason": "x"}).status_code == 403
    staff = _client(personas["staff"])
    empty = staff.post(url, {"reason": "   "})
    assert empty.status_code == 400
    cert.refresh_from_db()
    assert cert.revoked_at is None
    assert staff.get(url).status_code == 405
    response = staff.post(url, {"reason": "Attendance was recorded for the wrong person"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoke_reason == "Attendance was recorded for the wrong person"
    assert cert.revoked_by == personas["staff"]
    detail = staff.get(f"/certificates/manage/{cert.code}/").content.decode()
    assert "Attendance was recorded for the wrong person" in detail
    again = staff.post(url, {"reason": "again"})
    assert again.status_code == 400
    assert "already revoked" in again.content.decode()


# --- issuing attendance certificates for an activity ------------------------------------------


def test_the_issue_page_is_for_staff_and_the_activitys_trainers(
    personas: dict[str, Any], activity: Any, registered: Any
) -> None:
    url = f"/certificates/activities/{activity.pk}/"
    expected = {
        # The holder is registered (as the Thai participant): they see the activity, but may
        # not issue certificates.
        "holder": 403,
        "staff": 200,
        "trainer": 200,
        "other_trainer": 404,
        "focal_th": 403,
        "focal_vn": 403,
        "investigator_th": 404,
        "reviewer": 404,
        "learner": 404,
    }
    got = {name: _client(user).get(url).status_code for name, user in personas.items()}
    assert got == expected
    assert Client().get(url).status_code == 302
    for name in ("holder", "focal_th", "other_trainer"):
        _client(personas[name]).post(url, {"threshold": "50"})
    assert Certificate.objects.count() == 0


def test_who_qualifies_follows_the_threshold(staff: Any, activity: Any, registered: Any) -> None:
    client = _client(staff)
    url = f"/certificates/activities/{activity.pk}/"

    def qualifying(threshold: str | None) -> list[tuple[str, int, bool]]:
        params = {"threshold": threshold} if threshold else {}
        rows = client.get(url, params).context["rows"]
        return [(r.registration.person.full_name, r.percent, r.eligible) for r in rows]

    # Ordered by country: Cambodia, Thailand, Viet Nam. Default threshold 75%.
    assert qualifying(None) == [
        ("សុខ ចាន់ថា", 33, False),
        ("สมชาย ใจดี", 100, True),
        ("Nguyễn Thị Hằng", 67, False),
    ]
    assert qualifying("60") == [
        ("សុខ ចាន់ថា", 33, False),
        ("สมชาย ใจดี", 100, True),
        ("Nguyễn Thị Hằng", 67, True),
    ]
    bad = client.get(url, {"threshold": "0"})
    assert bad.status_code == 400


def test_bulk_issue_is_idempotent(personas: dict[str, Any], activity: Any, registered: Any) -> None:
    url = f"/certificates/activities/{activity.pk}/"
    trainer = _client(personas["trainer"])
    response = trainer.post(url, {"threshold": "60"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?threshold=60"
    certs = Certificate.objects.order_by("holder_name")
    assert [(c.holder_name, c.kind, c.issued_by) for c in certs] == [
        ("Nguyễn Thị Hằng", "attendance", personas["trainer"]),
        ("สมชาย ใจดี", "attendance", personas["trainer"]),
    ]
    thai = certs.get(holder_person=registered["th"].person)
    # The Thai participant's account is the holder's: it is on their page.
    assert thai.holder_user == personas["holder"]
    again = trainer.post(url, {"threshold": "60"}, follow=True)
    assert Certificate.objects.count() == 2
    assert "Nobody else meets the threshold" in again.content.decode()
    lower = _client(personas["staff"]).post(url, {"threshold": "30"}, follow=True)
    assert Certificate.objects.count() == 3
    assert "1 attendance certificate issued." in lower.content.decode()
    bad = trainer.post(url, {"threshold": "101"})
    assert bad.status_code == 400
    assert Certificate.objects.count() == 3


def test_the_activity_page_links_to_the_issue_page_for_those_who_may(
    personas: dict[str, Any], activity: Any, registered: Any
) -> None:
    link = f'href="/certificates/activities/{activity.pk}/"'
    page = f"/activities/{activity.pk}/"
    assert link in _client(personas["staff"]).get(page).content.decode()
    assert link in _client(personas["trainer"]).get(page).content.decode()
    assert link not in _client(personas["focal_th"]).get(page).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_issue_page_reads_a_fixed_number_of_queries(
    count: int,
    staff: Any,
    activity: Any,
    people: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    for key in ("th", "vn", "kh")[:count]:
        registration = activity_services.nominate(activity=activity, person=people[key], by=staff)
        activity_services.registration_decide(
            registration=registration, decision="approve", by=staff
        )
        issue_certificate(
            holder_person=people[key],
            kind="attendance",
            title=activity.title,
            starts=activity.start_date,
            ends=activity.end_date,
            activity=activity,
        )
    client = _client(staff)
    url = f"/certificates/activities/{activity.pk}/"
    client.get(url)
    # user, grants, OTP device, activity, the trainer check, sessions, participants,
    # certificates
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
