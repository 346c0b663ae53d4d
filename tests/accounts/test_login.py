"""Log-in, failed log-in, throttling, and session expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import User
from cybercap.core.models import AuditEntry
from tests.accounts.helpers import PASSWORD, log_in

pytestmark = pytest.mark.django_db

WRONG_LOGIN = "That user name and password do not match an active account. Both are case-sensitive."


def _row(user: User) -> dict[str, Any]:
    return User.objects.filter(pk=user.pk).values().get()


def test_it_logs_in_with_the_right_password(make_user: Callable[..., User]) -> None:
    user = make_user("learner", username="somchai")
    client = Client()
    response = log_in(client, "somchai")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="login", actor=user).count() == 1
    assert client.get("/").status_code == 200


def test_a_wrong_password_gives_a_clear_message_and_changes_nothing(
    make_user: Callable[..., User],
) -> None:
    user = make_user("learner", username="somchai")
    before = _row(user)
    client = Client()
    response = log_in(client, "somchai", "not the password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_LOGIN]
    assert WRONG_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _row(user) == before
    failed = AuditEntry.objects.get(action="login_failed")
    assert (failed.actor_id, failed.actor_label) == (None, "somchai")
    assert AuditEntry.objects.filter(action="login").count() == 0


def test_an_unknown_user_gets_the_same_message(db: Any) -> None:
    response = log_in(Client(), "nobody")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_LOGIN]


def test_five_failures_lock_the_account_even_with_the_right_password(
    make_user: Callable[..., User],
) -> None:
    make_user("learner", username="somchai")
    client = Client()
    for _attempt in range(4):
        assert log_in(client, "somchai", "wrong").status_code == 200
    locked = log_in(client, "somchai", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "<h1>Too many failed log-in attempts</h1>" in text
    assert 'name="password"' not in text
    assert "Try again in 15 minutes, or reset your password." in text
    right = log_in(client, "somchai", PASSWORD)
    assert right.status_code == 429
    assert "Try again in 15 minutes, or reset your password." in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_names_the_configured_cool_off(
    make_user: Callable[..., User], settings: Any
) -> None:
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    make_user("learner", username="somchai")
    client = Client()
    for _attempt in range(4):
        log_in(client, "somchai", "wrong")
    locked = log_in(client, "somchai", "wrong")
    assert locked.status_code == 429
    assert "Try again in 30 minutes, or reset your password." in locked.content.decode()


def test_another_user_is_not_locked_by_someone_elses_failures(
    make_user: Callable[..., User],
) -> None:
    make_user("learner", username="somchai")
    make_user("learner", username="linh")
    client = Client()
    for _attempt in range(5):
        log_in(client, "somchai", "wrong")
    response = log_in(client, "linh")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_deactivated_account_cannot_log_in(make_user: Callable[..., User]) -> None:
    make_user("learner", username="somchai", is_active=False)
    client = Client()
    response = log_in(client, "somchai")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_LOGIN]
    assert "_auth_user_id" not in client.session


def test_an_idle_session_expires(client_for: Callable[..., Client], settings: Any) -> None:
    client = client_for("learner")
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Faccounts%2Fprofile%2F"
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"])
    assert [str(m) for m in follow.context["messages"]] == [
        "Your session expired after a period of inactivity."
    ]


def test_an_active_session_does_not_expire(
    client_for: Callable[..., Client], settings: Any
) -> None:
    client = client_for("learner")
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get("/accounts/profile/").status_code == 200


def test_the_users_language_is_set_at_log_in(make_user: Callable[..., User]) -> None:
    make_user("learner", username="somchai", language="th")
    client = Client()
    response = log_in(client, "somchai")
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "th"


def test_log_out_ends_the_session(client_for: Callable[..., Client]) -> None:
    client = client_for("learner")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
