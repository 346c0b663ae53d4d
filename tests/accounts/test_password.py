"""Password reset by e-mail, and password change."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cybercap.accounts.models import User
from cybercap.core.models import AuditEntry
from tests.accounts.helpers import PASSWORD, log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quite new passphrase 2026"


def _reset_link(message: Any) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/accounts/password-reset/\S+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def test_a_reset_link_is_sent_and_works_once(make_user: Callable[..., User]) -> None:
    user = make_user("learner", username="somchai", email="somchai@example.org")
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200
    response = client.post("/accounts/password-reset/", {"email": "SOMCHAI@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your cybercap password"
    assert message.to == ["somchai@example.org"]
    assert "Your user name is somchai." in message.body

    link = _reset_link(message)
    landing = client.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    assert form_url.endswith("/set-password/")
    assert client.get(form_url).context["validlink"] is True
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True
    entry = AuditEntry.objects.get(model="accounts.User", object_id=str(user.pk), action="update")
    assert (entry.actor_id, entry.changes) == (
        user.pk,
        {"password": ["[redacted]", "reset by e-mail link"]},
    )

    assert log_in(Client(), "somchai", PASSWORD).status_code == 200
    assert log_in(Client(), "somchai", NEW_PASSWORD)["Location"] == "/"
    again = Client().get(link)
    assert again.status_code == 200
    assert again.context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db: Any) -> None:
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_reset_mail(make_user: Callable[..., User]) -> None:
    make_user("learner", email="gone@example.org", is_active=False)
    Client().post("/accounts/password-reset/", {"email": "gone@example.org"})
    assert mail.outbox == []


def test_the_link_uses_the_site_address_not_the_host_header(
    make_user: Callable[..., User], settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.SITE_URL = "https://cybercap.example.org"
    make_user("learner", email="somchai@example.org")
    Client(HTTP_HOST="evil.example").post(
        "/accounts/password-reset/", {"email": "somchai@example.org"}
    )
    assert len(mail.outbox) == 1
    assert "evil.example" not in mail.outbox[0].body
    assert "https://cybercap.example.org/accounts/password-reset/" in mail.outbox[0].body


def test_a_new_password_lifts_a_lock_out(make_user: Callable[..., User]) -> None:
    make_user("learner", username="somchai", email="somchai@example.org")
    client = Client()
    for _attempt in range(5):
        log_in(client, "somchai", "wrong")
    assert log_in(client, "somchai", PASSWORD).status_code == 429
    client.post("/accounts/password-reset/", {"email": "somchai@example.org"})
    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(client, "somchai", NEW_PASSWORD)["Location"] == "/"


def test_a_signed_in_user_changes_the_password(make_user: Callable[..., User]) -> None:
    user = make_user("learner", username="somchai")
    client = Client()
    log_in(client, "somchai")
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert list(wrong.context["form"].errors) == ["old_password"]
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(model="accounts.User", object_id=str(user.pk), action="update")
    assert (entry.actor_id, entry.changes) == (user.pk, {"password": ["[redacted]", "changed"]})


def test_a_short_password_is_refused(make_user: Callable[..., User]) -> None:
    make_user("learner", username="somchai")
    client = Client()
    log_in(client, "somchai")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new_password2"]
