"""Agencies invite learners to a course: the list checked whole, a signed single-use link each,
the invitee's account (made by the self-registration code), resend and revoke, and scoping."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cybercap.accounts import registration
from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.core.models import AuditEntry
from cybercap.elearning import invitations
from cybercap.elearning.models import Course, Enrolment, Invitation
from cybercap.network.models import Person
from tests.accounts.test_register import _deliver
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long learner passphrase 2026"
URL = "/learn/first-responder/invitations/"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def world(thailand: Any, vietnam: Any, make_user: Callable[..., User]) -> dict[str, Any]:
    for country in (thailand, vietnam):
        country.asean_joined = dt.date(1967, 8, 8)
        country.save()
    course = Course.objects.create(
        key="first-responder",
        version="1.0.0",
        content_hash="-",
        language="en",
        title="First response to digital evidence",
        description="-",
        audience="-",
        legal_basis_heading="-",
        legal_basis_empty="-",
    )
    return {
        "course": course,
        "th_agency": AgencyFactory(country=thailand, name="Thai Police Cyber Unit"),
        "vn_agency": AgencyFactory(country=vietnam, name="Viet Nam Cyber Police"),
        "staff": make_user("staff"),
        "focal_th": make_user("focal_point", thailand),
        "focal_vn": make_user("focal_point", vietnam),
        "learner": make_user("learner"),
        "trainer": make_user("trainer"),
    }


def _client(world: dict[str, Any], who: str) -> Client:
    return login(Client(), world[who])


def _invite(client: Client, capture: Any, agency: Any, emails: str = "", **extra: Any) -> Any:
    with capture(execute=True):
        response = client.post(URL, {"agency": agency.pk, "emails": emails, **extra})
    _deliver()
    return response


def _links() -> list[str]:
    found = []
    for message in mail.outbox:
        match = re.search(r"http://127\.0\.0\.1:8000(/learn/join/\S+/)", message.body)
        assert match is not None, message.body
        found.append(match.group(1))
    return found


def _accept_data(**changes: Any) -> dict[str, Any]:
    data = {
        "full_name": "Nguyễn  Thị Lan",
        "language": "vi",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    return data | changes


def test_a_focal_point_invites_and_the_invitee_joins(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(world, "focal_th")
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Thai Police Cyber Unit" in body
    assert "Viet Nam Cyber Police" not in body  # only the agencies of their own country

    response = _invite(
        client,
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "Lan@Example.org\nsomchai@example.org, ploy@example.org",
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    rows = list(Invitation.objects.order_by("email"))
    assert [(i.email, i.agency_id, i.invited_by_id, i.status) for i in rows] == [
        (e, world["th_agency"].pk, world["focal_th"].pk, "sent")
        for e in ("lan@example.org", "ploy@example.org", "somchai@example.org")
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [i.email for i in rows]
    assert mail.outbox[0].subject == (
        "You are invited to the course “First response to digital evidence”"
    )
    listed = client.get(URL).content.decode()
    assert listed.count('data-status="sent"') == 3

    link = next(_links()[n] for n, m in enumerate(mail.outbox) if m.to == ["lan@example.org"])
    invitee = Client()
    shown = invitee.get(link)  # opening the link (or a mail scanner) creates nothing
    assert shown.status_code == 200
    shown_body = shown.content.decode()
    assert "lan@example.org" in shown_body and "Thai Police Cyber Unit" in shown_body
    assert 'name="email"' not in shown_body and 'name="agency"' not in shown_body
    assert not User.objects.filter(email="lan@example.org").exists()

    # Fields the invitation fixes are ignored if sent anyway.
    done = invitee.post(
        link,
        _accept_data(email="other@example.org", agency=world["vn_agency"].pk, country="VN"),
    )
    assert done.status_code == 302
    assert done["Location"] == "/learn/first-responder/"
    assert done.cookies["django_language"].value == "vi"
    user = User.objects.get(email="lan@example.org")
    assert (user.username, user.first_name, user.language, user.is_active) == (
        "lan@example.org",
        "Nguyễn Thị Lan",
        "vi",
        True,
    )
    assert user.check_password(PASSWORD)
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "country")) == [
        (Role.LEARNER, None)
    ]
    person = Person.objects.get(user=user)
    assert (person.country.code, person.agency_id, person.email) == (
        "TH",
        world["th_agency"].pk,
        "lan@example.org",
    )
    assert Enrolment.objects.filter(user=user, course=world["course"]).count() == 1
    invitation = Invitation.objects.get(email="lan@example.org")
    assert (invitation.status, invitation.user_id) == ("accepted", user.pk)
    assert invitee.get("/learn/first-responder/").status_code == 200  # signed in

    # Single use: the link is refused afterwards, and the refusal is on record.
    again = Client().get(link)
    assert again.status_code == 400
    assert "This invitation has already been used" in again.content.decode()
    assert AuditEntry.objects.filter(action="link_refused", model="elearning.Invitation").count()
    assert Client().post(link, _accept_data()).status_code == 400
    assert User.objects.filter(email="lan@example.org").count() == 1


def test_an_existing_person_record_is_linked_not_duplicated(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    known = PersonFactory(
        full_name="Lan", email="lan@example.org", country=world["th_agency"].country, agency=None
    )
    _invite(
        _client(world, "staff"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "lan@example.org",
    )
    assert Client().post(_links()[0], _accept_data()).status_code == 302
    known.refresh_from_db()
    assert known.user is not None and known.user.email == "lan@example.org"
    assert known.agency_id == world["th_agency"].pk
    assert Person.objects.filter(email="lan@example.org").count() == 1


def test_the_whole_list_is_refused_with_every_problem_by_row(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.create_user(username="known", email="Known@Example.org")
    staff = _client(world, "staff")
    _invite(staff, django_capture_on_commit_callbacks, world["th_agency"], "open@example.org")
    mail.outbox.clear()
    text = "\n".join(
        [
            "fine@example.org",
            "not an address",
            "FINE@example.org",
            "known@example.org",
            "open@example.org",
            "",
            "also.fine@example.org",
        ]
    )
    response = _invite(staff, django_capture_on_commit_callbacks, world["th_agency"], text)
    assert response.status_code == 400
    problems = re.findall(r"<li>(Row \d+: [^<]+)</li>", response.content.decode())
    # The date is the inviter's own (their time zone); today, wherever they are.
    today = re.search(r"invited on (\d{4}-\d\d-\d\d)", problems[-1])
    assert today is not None
    assert abs(dt.date.fromisoformat(today.group(1)) - dt.date.today()).days <= 1
    today = today.group(1)
    assert [p.replace("&#x27;", "'").replace("&quot;", '"') for p in problems] == [
        "Row 2: “not an address” is not an e-mail address.",
        "Row 3: fine@example.org is already in row 1.",
        "Row 4: known@example.org already has an account: they can enrol from the course "
        "catalogue.",
        f"Row 5: open@example.org was already invited on {today} (sent): resend or revoke "
        "that invitation in the list below.",
    ]
    assert "Nothing was sent" in response.content.decode()
    assert text in response.content.decode()  # what was typed is kept
    assert list(Invitation.objects.values_list("email", flat=True)) == ["open@example.org"]
    assert mail.outbox == []


def test_a_csv_or_xlsx_upload_is_read_by_its_email_column(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    staff = _client(world, "staff")
    csv_file = SimpleUploadedFile(
        "list.csv", b"Name;E-mail\nLan;lan@example.org\nBinh;binh@example.org\n"
    )
    response = _invite(
        staff, django_capture_on_commit_callbacks, world["vn_agency"], upload=csv_file
    )
    assert response.status_code == 302
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["email", "rank"], ["an@example.org", "captain"], ["bad@", "major"]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    xlsx = SimpleUploadedFile("list.xlsx", data.getvalue())
    response = _invite(staff, django_capture_on_commit_callbacks, world["vn_agency"], upload=xlsx)
    assert response.status_code == 400
    assert "Row 3: “bad@” is not an e-mail address." in response.content.decode()
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "binh@example.org",
        "lan@example.org",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.txt", b"email\na@example.org\n", "Files of type “.txt” are not accepted"),
        ("list.xlsx", b"email\na@example.org\n", "does not match its “.xlsx” name"),
        ("list.csv", b"\xff\xfe\x00e\x00m", "A text file must not contain binary data."),
        ("list.csv", b"name\nLan\n", "The first row must name the column of addresses"),
        ("list.csv", b"email\n" + b"a" * 1_000_001, "larger than the limit of 1000 KB"),
    ],
)
def test_a_bad_upload_is_refused_with_its_reason(
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    response = _invite(
        _client(world, "staff"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        upload=SimpleUploadedFile(name, content),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_resend_replaces_the_link_and_revoke_ends_it(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(world, "focal_th")
    _invite(client, django_capture_on_commit_callbacks, world["th_agency"], "lan@example.org")
    invitation = Invitation.objects.get()
    first = _links()[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{URL}{invitation.pk}/resend/").status_code == 302
    _deliver()
    second = _links()[0]
    invitation.refresh_from_db()
    assert invitation.times_sent == 2 and first != second
    old = Client().get(first)
    assert old.status_code == 400
    assert "replaced by a newer one" in old.content.decode()
    assert Client().get(second).status_code == 200

    assert client.post(f"{URL}{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked" and invitation.revoked_by == world["focal_th"]
    refused = Client().post(second, _accept_data())
    assert refused.status_code == 400
    assert "This invitation was withdrawn" in refused.content.decode()
    assert not User.objects.filter(email="lan@example.org").exists()
    # A revoked invitation is not resent; the address may be invited afresh.
    mail.outbox.clear()
    client.post(f"{URL}{invitation.pk}/resend/")
    assert mail.outbox == []
    assert (
        _invite(
            client, django_capture_on_commit_callbacks, world["th_agency"], "lan@example.org"
        ).status_code
        == 302
    )
    assert Invitation.objects.count() == 2


def test_an_expired_link_is_refused_and_shown_as_expired(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(world, "staff")
    _invite(client, django_capture_on_commit_callbacks, world["th_agency"], "lan@example.org")
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get(_links()[0])
    assert response.status_code == 400
    assert "This invitation has expired" in response.content.decode()
    assert 'data-status="expired"' in client.get(URL).content.decode()
    # Resending gives it a new life.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{Invitation.objects.get().pk}/resend/")
    _deliver()
    assert Client().get(_links()[0]).status_code == 200


def test_a_tampered_link_is_refused(world: dict[str, Any]) -> None:
    response = Client().get("/learn/join/eyJpIjoxLCJuIjoieCJ9:abc:def/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_an_address_registered_meanwhile_is_refused_at_acceptance(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _invite(
        _client(world, "staff"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "lan@example.org",
    )
    User.objects.create_user(username="lan@example.org", email="lan@example.org")
    response = Client().post(_links()[0], _accept_data())
    assert response.status_code == 400
    assert "An account with this e-mail address exists already" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_a_weak_password_keeps_the_form_and_creates_nothing(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _invite(
        _client(world, "staff"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "lan@example.org",
    )
    response = Client().post(_links()[0], _accept_data(password1="short", password2="short"))
    assert response.status_code == 400
    assert "Nguyễn  Thị Lan" in response.content.decode()
    assert not User.objects.filter(email="lan@example.org").exists()


# --------------------------------------------------------------------------- rate limits


def test_acceptance_is_rate_limited_per_address_as_registration(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _invite(
        _client(world, "staff"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "lan@example.org",
    )
    for _n in range(registration.ATTEMPTS_ALLOWED):
        registration.rate_count("127.0.0.1")
    response = Client().post(_links()[0], _accept_data())
    assert response.status_code == 429
    assert response["Retry-After"] == str(registration.WINDOW)
    assert not User.objects.filter(email="lan@example.org").exists()


def test_mails_per_inviter_are_limited(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(invitations, "MAILS_ALLOWED", 3)
    client = _client(world, "staff")
    ok = _invite(client, django_capture_on_commit_callbacks, world["th_agency"], "a@x.org\nb@x.org")
    assert ok.status_code == 302
    refused = _invite(
        client, django_capture_on_commit_callbacks, world["th_agency"], "c@x.org\nd@x.org"
    )
    assert refused.status_code == 400
    assert "as many invitations as allowed in an hour (3)" in refused.content.decode()
    assert Invitation.objects.count() == 2
    # Another inviter has their own budget.
    other = _invite(
        _client(world, "focal_th"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "c@x.org\nd@x.org",
    )
    assert other.status_code == 302


# --------------------------------------------------------------------------- scoping


def test_learners_trainers_and_strangers_cannot_invite(world: dict[str, Any]) -> None:
    invitation = Invitation.objects.create(
        course=world["course"],
        agency=world["th_agency"],
        email="lan@example.org",
        expires_at=timezone.now() + dt.timedelta(days=1),
        nonce="n",
    )
    for who in ("learner", "trainer"):
        client = _client(world, who)
        assert client.get(URL).status_code == 403
        assert (
            client.post(URL, {"agency": world["th_agency"].pk, "emails": "a@x.org"}).status_code
            == 403
        )
        assert client.post(f"{URL}{invitation.pk}/resend/").status_code == 403
        assert client.post(f"{URL}{invitation.pk}/revoke/").status_code == 403
    assert Client().get(URL).status_code == 302
    assert Client().post(f"{URL}{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.times_sent == 1
    assert not Invitation.objects.exclude(pk=invitation.pk).exists()


def test_a_focal_point_of_another_country_gets_404(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _invite(
        _client(world, "focal_th"),
        django_capture_on_commit_callbacks,
        world["th_agency"],
        "lan@example.org",
    )
    invitation = Invitation.objects.get()
    vn = _client(world, "focal_vn")
    assert vn.post(f"{URL}{invitation.pk}/resend/").status_code == 404
    assert vn.post(f"{URL}{invitation.pk}/revoke/").status_code == 404
    assert "lan@example.org" not in vn.get(URL).content.decode()
    # Nor may they invite for a Thai agency: the form does not offer it.
    mail.outbox.clear()
    response = _invite(vn, django_capture_on_commit_callbacks, world["th_agency"], "x@x.org")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.revoked_at, invitation.times_sent) == (None, 1)
    assert mail.outbox == [] and Invitation.objects.count() == 1
    assert vn.get("/learn/no-such-course/invitations/").status_code == 404


def test_the_service_refuses_an_agency_out_of_scope(world: dict[str, Any]) -> None:
    with pytest.raises(invitations.InvitationError, match="agencies of your country"):
        invitations.invitations_send(
            by=world["focal_vn"],
            course=world["course"],
            agency=world["th_agency"],
            rows=[(1, "a@example.org")],
        )


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_a_fixed_number_of_queries(
    world: dict[str, Any], count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        Invitation.objects.create(
            course=world["course"],
            agency=world["th_agency"],
            email=f"p{n}@example.org",
            invited_by=world["staff"],
            expires_at=timezone.now() + dt.timedelta(days=1),
            nonce="n",
        )
    client = _client(world, "focal_th")
    client.get(URL)  # warm the session
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.content.decode().count('data-status="sent"') == count


def test_checking_a_list_takes_the_same_queries_for_1_or_3_addresses(
    world: dict[str, Any],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 3):
        rows = [(n, f"known{n}@example.org") for n in range(1, size + 1)]
        for _row, address in rows:
            User.objects.get_or_create(username=address, email=address)
        with (
            CaptureQueriesContext(connection) as queries,
            pytest.raises(invitations.ListRefused) as refused,
        ):
            invitations.check_list(course=world["course"], rows=rows)
        assert [p.row for p in refused.value.problems] == list(range(1, size + 1))
        counts.append(len(queries))
    assert counts == [2, 2]
