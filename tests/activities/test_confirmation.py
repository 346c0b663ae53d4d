"""Signed confirmation links: sent by e-mail, answered without a log-in, failing clearly when
expired, replaced, damaged or already used; an account made through the link; all audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django_tasks_db.models import DBTaskResult

from cybercap.accounts.models import RoleAssignment, User
from cybercap.activities import confirmation, services
from cybercap.activities.models import Registration, RegistrationStatus
from cybercap.core.models import AuditEntry
from tests.conftest import login

pytestmark = pytest.mark.django_db

PASSPORT = {
    "action": "visa",
    "name_in_passport": "SOMCHAI JAIDEE",
    "passport_number": "AB9876543",
    "nationality": "Thai",
    "date_of_birth": "1985-04-02",
    "expiry_date": "2030-01-31",
}


@pytest.fixture
def approved(
    make_activity: Any, thailand: Any, vietnam: Any, people: Any, staff_user: Any
) -> dict[str, Any]:
    activity = make_activity(quotas={thailand: 1, vietnam: 2})
    th1 = people["th1"]
    th1.email = "Somchai@Example.org"
    th1.save()
    reg = services.nominate(activity=activity, person=th1, by=staff_user)
    services.registration_decide(registration=reg, decision="approve", by=staff_user)
    reg.refresh_from_db()
    return {"activity": activity, "reg": reg, "person": th1}


def _send(reg: Registration, staff: Any, capture: Any) -> str:
    """Staff send the link from the letters page; returns the link's path from the e-mail."""
    client = login(Client(), staff)
    with capture(execute=True):
        response = client.post(
            f"/activities/{reg.activity_id}/registrations/{reg.pk}/confirmation-link/"
        )
    assert response.status_code == 302
    task = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert task is not None
    kwargs = task.args_kwargs["kwargs"]
    assert kwargs["to"] == ["Somchai@Example.org"]
    assert kwargs["subject"] == "Please confirm your place: Digital forensics for first responders"
    match = re.search(r"http://testserver(/activities/confirm/[^/\s]+/)", kwargs["body"])
    assert match is not None
    return match.group(1)


def test_staff_send_a_link_by_e_mail_and_it_is_audited(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get()
    assert task.queue_name == "email"
    assert "The link works until" in task.args_kwargs["kwargs"]["body"]
    reg = Registration.objects.get(pk=approved["reg"].pk)
    assert reg.confirmation_sent_at is not None
    sent = AuditEntry.objects.get(action="link_sent")
    assert (sent.actor_id, sent.changes["to"]) == (staff_user.pk, [None, "Somchai@Example.org"])
    assert path.startswith("/activities/confirm/")


def test_the_participant_confirms_without_logging_in(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Will you attend?" in html
    assert "สมชาย ใจดี" in html
    response = client.post(path, {"action": "respond", "attend": "yes"}, follow=True)
    assert response.redirect_chain == [(path, 302)]
    reg = Registration.objects.get(pk=approved["reg"].pk)
    assert reg.status == RegistrationStatus.CONFIRMED
    assert reg.responded_at is not None
    html = response.content.decode()
    assert "Thank you: your attendance is confirmed." in html
    assert "Visa support letter" in html
    assert "Create your account" in html
    change = AuditEntry.objects.filter(
        model="activities.Registration",
        object_id=str(reg.pk),
        action="update",
        changes__has_key="status",
    ).latest("at")
    assert change.changes["status"] == ["approved", "confirmed"]
    assert change.actor_label == "confirmation link: สมชาย ใจดี"
    assert AuditEntry.objects.filter(action="link_opened", object_id=str(reg.pk)).count() == 2
    # The same link cannot answer again.
    again = client.post(path, {"action": "respond", "attend": "no"})
    assert again.status_code == 200
    assert Registration.objects.get(pk=reg.pk).status == RegistrationStatus.CONFIRMED


def test_a_decline_frees_the_seat_for_the_wait_list(
    approved: dict[str, Any], staff_user: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    activity = approved["activity"]
    # The activity is open and Thailand's one seat is taken: th2 waits.
    waiting = Registration.objects.create(
        activity=activity,
        person=people["th2"],
        country=people["th2"].country,
        status=RegistrationStatus.WAIT_LISTED,
        nominated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    client = Client()
    response = client.post(path, {"action": "respond", "attend": "no"})
    assert response.status_code == 200
    assert "We have recorded that you cannot attend" in response.content.decode()
    assert Registration.objects.get(pk=approved["reg"].pk).status == RegistrationStatus.DECLINED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.APPROVED
    reopened = client.get(path)
    assert reopened.status_code == 410
    assert "You declined this invitation on" in reopened.content.decode()


def test_a_visa_letter_and_an_account_through_the_link(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    client = Client()
    client.post(path, {"action": "respond", "attend": "yes"})
    letter = client.post(path, PASSPORT)
    assert letter["Content-Type"] == "application/pdf"
    assert Registration.objects.get(pk=approved["reg"].pk).visa_letter_requested_at is not None
    assert client.get(path.rstrip("/") + "/invitation.pdf")["Content-Type"] == "application/pdf"

    weak = client.post(path, {"action": "account", "password1": "abc", "password2": "abc"})
    assert weak.status_code == 200
    assert not User.objects.filter(username="somchai@example.org").exists()
    differ = client.post(
        path, {"action": "account", "password1": "Long enough 2026!", "password2": "other"}
    )
    assert differ.context["account_form"].errors == {"password2": ["The two passwords differ."]}

    made = client.post(
        path,
        {"action": "account", "password1": "Long enough 2026!", "password2": "Long enough 2026!"},
        follow=True,
    )
    assert made.redirect_chain[-1][0] == "/activities/mine/"
    user = User.objects.get(username="somchai@example.org")
    assert user.email == "somchai@example.org"
    assert user.check_password("Long enough 2026!")
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        "learner"
    ]
    approved["person"].refresh_from_db()
    assert approved["person"].user_id == user.pk
    assert [r.activity.title for r in made.context["registrations"]] == [approved["activity"].title]
    assert AuditEntry.objects.filter(
        model="accounts.User", action="create", object_id=str(user.pk)
    ).exists()
    # No second account through the same link.
    assert not confirmation.account_available(Registration.objects.get(pk=approved["reg"].pk))
    assert "Create your account" not in Client().get(path).content.decode()


def test_an_account_is_refused_when_the_e_mail_is_taken(
    approved: dict[str, Any],
    staff_user: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_user(username="someone", email="somchai@example.org")
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    client = Client()
    client.post(path, {"action": "respond", "attend": "yes"})
    assert "Create your account" not in client.get(path).content.decode()
    response = client.post(
        path,
        {"action": "account", "password1": "Long enough 2026!", "password2": "Long enough 2026!"},
    )
    assert "An account already exists for this e-mail address" in response.content.decode()
    assert User.objects.filter(email__iexact="somchai@example.org").count() == 1


# --- links that fail, and say why ---------------------------------------------------------------


def test_a_new_link_replaces_the_old_one(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    new = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    assert old != new
    response = Client().get(old)
    assert response.status_code == 410
    assert "This link was replaced by a newer one" in response.content.decode()
    assert Client().post(old, {"action": "respond", "attend": "yes"}).status_code == 410
    assert Registration.objects.get(pk=approved["reg"].pk).status == RegistrationStatus.APPROVED
    assert Client().get(new).status_code == 200
    refused = AuditEntry.objects.filter(action="link_refused").first()
    assert refused is not None and refused.changes == {"reason": [None, "replaced"]}


def test_an_expired_link_fails_clearly(
    approved: dict[str, Any],
    staff_user: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    later = signing.time.time() + (confirmation.LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = Client().get(path)
    assert response.status_code == 410
    assert "This link has expired (links are valid for 30 days)" in response.content.decode()


def test_a_damaged_link_fails_clearly(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    response = Client().get(path[:-6] + "xxxxx/")
    assert response.status_code == 410
    assert "This link is not valid" in response.content.decode()


def test_a_link_fails_once_staff_changed_the_status(
    approved: dict[str, Any], staff_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = _send(approved["reg"], staff_user, django_capture_on_commit_callbacks)
    services.registration_decide(registration=approved["reg"], decision="wait_list", by=staff_user)
    response = Client().get(path)
    assert response.status_code == 410
    assert "Your registration is now “Wait-listed”, so this link no longer applies." in (
        response.content.decode()
    )


def test_only_approved_participants_with_an_e_mail_get_a_link(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 3})
    reg = services.nominate(activity=activity, person=people["th2"], by=staff_user)
    with pytest.raises(
        confirmation.LinkError, match="Only approved participants get a confirmation link"
    ):
        confirmation.link_send(registration=reg, url_for=str, by=staff_user)
    services.registration_decide(registration=reg, decision="approve", by=staff_user)
    people["th2"].email = ""
    people["th2"].save()
    reg.refresh_from_db()
    with pytest.raises(confirmation.LinkError, match="has no e-mail address"):
        confirmation.link_send(registration=reg, url_for=str, by=staff_user)
    assert Registration.objects.get(pk=reg.pk).confirmation_sent_at is None


@pytest.mark.parametrize("role", ["focal_point", "trainer", "learner"])
def test_only_staff_send_links(
    approved: dict[str, Any], make_user: Any, role: str, thailand: Any
) -> None:
    user = make_user(role, thailand if role == "focal_point" else None)
    reg = approved["reg"]
    response = login(Client(), user).post(
        f"/activities/{reg.activity_id}/registrations/{reg.pk}/confirmation-link/"
    )
    assert response.status_code == 403
    assert Registration.objects.get(pk=reg.pk).confirmation_sent_at is None
