"""Learners register themselves: an inactive account, an e-mail link, then the catalogue."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cybercap.accounts import registration
from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.core.models import AuditEntry
from cybercap.core.tasks import send_email
from cybercap.network.models import Person
from tests.factories import AgencyFactory, CountryFactory, PersonFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long learner passphrase 2026"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def world(thailand: Any, vietnam: Any) -> dict[str, Any]:
    for country in (thailand, vietnam):
        country.asean_joined = dt.date(1967, 8, 8)
        country.save()
    guest = CountryFactory(code="JP", name="Japan", is_guest=True)
    return {
        "th": thailand,
        "vn": vietnam,
        "th_agency": AgencyFactory(country=thailand, name="Thai Police Cyber Unit"),
        "vn_agency": AgencyFactory(country=vietnam, name="Viet Nam Cyber Police"),
        "guest_agency": AgencyFactory(country=guest, name="Guest Police"),
    }


def _data(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "full_name": "สมชาย  ใจดี",
        "email": "Somchai@Example.org",
        "country": "TH",
        "agency": world["th_agency"].pk,
        "language": "th",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    data.update(changes)
    return data


def _link(message: Any) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/accounts/register/verify/\S+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def _deliver() -> None:
    """Run the queued e-mail tasks as the worker would: the messages land in mail.outbox."""
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        send_email.call(**row.args_kwargs["kwargs"])
        row.delete()


def _register(client: Client, data: dict[str, Any], capture: Any) -> Any:
    with capture(execute=True):
        response = client.post("/accounts/register/", data)
    _deliver()
    return response


def test_the_form_lists_agencies_in_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for number in range(20):
        AgencyFactory(country=world["vn"], name=f"Provincial unit {number}")
    with django_assert_max_num_queries(6):
        response = Client().get("/accounts/register/")
    assert response.content.decode().count("Provincial unit") == 20


def test_the_login_page_offers_registration() -> None:
    response = Client().get("/accounts/login/")
    assert b'href="/accounts/register/"' in response.content


def test_the_whole_flow(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    page = client.get("/accounts/register/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Thai Police Cyber Unit" in content
    assert "Guest Police" not in content  # only ASEAN members and their agencies
    response = _register(client, _data(world), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/sent/"
    assert client.get(response["Location"]).status_code == 200

    user = User.objects.get(username="somchai@example.org")
    assert not user.is_active
    assert user.email == "somchai@example.org"
    assert user.first_name == "สมชาย ใจดี"
    assert user.language == "th"
    assert not user.role_assignments.exists()
    assert not Person.objects.filter(user=user).exists()
    # An inactive account cannot log in.
    login = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["somchai@example.org"]
    link = _link(message)

    shown = client.get(link)  # opening the link (or a mail scanner) activates nothing
    assert shown.status_code == 200
    assert "Thai Police Cyber Unit" in shown.content.decode()
    user.refresh_from_db()
    assert not user.is_active

    done = client.post(link)
    assert done.status_code == 302
    assert done["Location"] == reverse("elearning:catalogue")
    assert done.cookies["django_language"].value == "th"
    user.refresh_from_db()
    assert user.is_active
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role == Role.LEARNER and assignment.country is None
    person = Person.objects.get(user=user)
    assert (person.country, person.agency) == (world["th"], world["th_agency"])
    assert person.full_name == "สมชาย ใจดี" and person.email == "somchai@example.org"

    catalogue = client.get(done["Location"])
    assert catalogue.status_code == 200
    assert catalogue.wsgi_request.user == user
    assert catalogue.wsgi_request.LANGUAGE_CODE == "th"

    # The link works once.
    again = Client().post(link)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()

    actions = set(
        AuditEntry.objects.filter(model="accounts.User", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"create", "update", "login"} <= actions
    created = AuditEntry.objects.get(model="accounts.User", object_id=str(user.pk), action="create")
    assert created.actor_label == "self-registration: somchai@example.org"
    assert AuditEntry.objects.filter(model="network.Person", object_id=str(person.pk)).exists()


def test_an_existing_unlinked_person_of_the_country_is_linked(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    known = PersonFactory(
        agency=None, country=world["th"], full_name="Somchai J.", email="somchai@example.org"
    )
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    client.post(_link(mail.outbox[0]))
    known.refresh_from_db()
    assert known.user is not None and known.user.username == "somchai@example.org"
    assert known.agency == world["th_agency"]
    assert Person.objects.filter(email="somchai@example.org").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agency": "AGENCY_VN"}, "agency"),
        ({"country": "ZZ"}, "country"),
        ({"country": "JP", "agency": "AGENCY_GUEST"}, "country"),
        ({"password1": "password", "password2": "password"}, "password1"),
        ({"password2": "another passphrase 2026"}, "password2"),
        ({"consent": ""}, "consent"),
        ({"email": "not an address"}, "email"),
        ({"language": "xx"}, "language"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_bad_input_changes_nothing(
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    values = {
        key: {"AGENCY_VN": world["vn_agency"].pk, "AGENCY_GUEST": world["guest_agency"].pk}.get(
            value, value
        )
        for key, value in change.items()
    }
    users, people, entries = (
        User.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )
    response = _register(Client(), _data(world, **values), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert (User.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == (
        users,
        people,
        entries,
    )
    assert mail.outbox == []


def test_the_agency_of_another_country_is_refused_clearly(world: dict[str, Any]) -> None:
    response = Client().post("/accounts/register/", _data(world, agency=world["vn_agency"].pk))
    assert response.status_code == 400
    assert "is not an agency of Thailand" in response.content.decode()


def test_a_duplicate_address_gets_the_same_answer_and_a_notice(
    world: dict[str, Any], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    holder = make_user("learner", username="somchai", email="somchai@example.org")
    password = holder.password
    response = _register(Client(), _data(world), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/sent/"
    assert User.objects.filter(email__iexact="somchai@example.org").count() == 1
    holder.refresh_from_db()
    assert holder.password == password and holder.language == ""
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["somchai@example.org"]
    assert message.subject == "You already have a cybercap account"
    assert "Your user name is somchai." in message.body
    assert "/accounts/register/verify/" not in message.body
    assert AuditEntry.objects.filter(action="register_known", object_id=str(holder.pk)).exists()


def test_registering_again_replaces_the_earlier_link(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    _register(client, _data(world, language="vi"), django_capture_on_commit_callbacks)
    assert User.objects.filter(email="somchai@example.org").count() == 1
    first, second = (_link(message) for message in mail.outbox)
    old = client.post(first)
    assert old.status_code == 400
    assert "replaced by a newer one" in old.content.decode()
    assert not User.objects.get(email="somchai@example.org").is_active
    assert client.post(second).status_code == 302
    assert User.objects.get(email="somchai@example.org").language == "vi"


def test_an_expired_link_fails_clearly(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    later = time.time() + (registration.LINK_DAYS + 1) * 86400
    # Only the signing module's clock moves on (its links are dated by it).
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    response = client.post(link)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert not User.objects.get(email="somchai@example.org").is_active
    assert AuditEntry.objects.filter(action="link_refused").exists()


def test_a_tampered_link_fails_clearly(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    user = User.objects.get(email="somchai@example.org")
    link = _link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token, salt=registration.SALT)
    forged = signing.dumps({**payload, "a": world["vn_agency"].pk}, salt="another salt")
    for bad in (token[:-3] + "abc", forged):
        response = client.get(f"/accounts/register/verify/{bad}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
        assert client.post(f"/accounts/register/verify/{bad}/").status_code == 400
    user.refresh_from_db()
    assert not user.is_active and not user.role_assignments.exists()


def test_a_deactivated_account_is_not_revived_by_a_link(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    user = User.objects.get(email="somchai@example.org")
    user.deactivated_at = dt.datetime.now(dt.UTC)
    user.save()
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "deactivated" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_the_new_learner_sees_only_their_own_things(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    PersonFactory(agency=world["th_agency"], full_name="Another Thai Officer")
    client = Client()
    _register(client, _data(world), django_capture_on_commit_callbacks)
    client.post(_link(mail.outbox[0]))
    user = User.objects.get(email="somchai@example.org")
    people = client.get("/network/people/")
    assert people.status_code == 200
    assert [person.user_id for person in people.context["page"]] == [user.pk]
    assert "Another Thai Officer" not in people.content.decode()
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/audit/").status_code in (403, 404)


def test_signed_in_users_do_not_register(make_user: Any, world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(make_user("learner"))
    assert client.get("/accounts/register/").status_code == 302
    assert client.post("/accounts/register/", _data(world)).status_code == 302
    assert User.objects.filter(email="somchai@example.org").count() == 0


def test_registration_is_rate_limited_per_address(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    for number in range(registration.ATTEMPTS_ALLOWED):
        response = _register(
            client,
            _data(world, email=f"officer{number}@example.org"),
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302
    response = _register(
        client, _data(world, email="one-more@example.org"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 429
    assert not User.objects.filter(email="one-more@example.org").exists()
    assert len(mail.outbox) == registration.ATTEMPTS_ALLOWED


def test_csrf_is_required(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/register/", _data(world)).status_code == 403
    assert not User.objects.filter(email="somchai@example.org").exists()
