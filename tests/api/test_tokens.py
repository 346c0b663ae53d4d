"""Personal API tokens: shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from cybercap.accounts.models import ApiToken, User
from cybercap.accounts.tokens import token_authenticate, token_create, token_revoke
from cybercap.core.models import AuditEntry
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

INVALID = {
    "detail": "The API token is not valid, has expired or was revoked.",
    "code": "not_authenticated",
    "errors": [],
}


@pytest.fixture
def alice(make_user: Callable[..., User], thailand: Any) -> User:
    return make_user("focal_point", thailand, username="alice")


def test_it_returns_the_token_once_and_stores_only_its_hash(alice: User, settings: Any) -> None:
    settings.API_TOKEN_DEFAULT_DAYS = 30
    now = timezone.now()
    token, raw = token_create(user=alice, name="Upload script", now=now)

    assert re.fullmatch(r"cc_[a-z2-9]{8}_[A-Za-z0-9_-]{43}", raw)
    row = ApiToken.objects.get()
    assert row.prefix == raw.split("_")[1] == token.prefix
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.name == "Upload script"
    assert row.created_at == now
    assert row.expires_at == now + dt.timedelta(days=30)
    assert row.last_used_at is None
    assert row.revoked_at is None


def test_the_database_never_holds_the_plaintext(alice: User) -> None:
    _token, raw = token_create(user=alice, name="Upload script")
    secret = raw.rsplit("_", 1)[1]
    Client(headers=bearer(raw)).get("/api/v1/me")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert rows and not any(secret in str(value) for row in rows for value in row)
    audit = json.dumps(list(AuditEntry.objects.values("changes", "object_repr")))
    assert secret not in audit
    assert raw not in audit


def test_two_tokens_differ(alice: User) -> None:
    first = token_create(user=alice, name="a")
    second = token_create(user=alice, name="b")
    assert first[1] != second[1]
    assert first[0].prefix != second[0].prefix


def test_a_token_authenticates_its_user_on_the_api(alice: User) -> None:
    _token, raw = token_create(user=alice, name="script")
    response = Client(headers=bearer(raw)).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_a_revoked_token_is_rejected(alice: User) -> None:
    token, raw = token_create(user=alice, name="script")
    token_revoke(token=token, by=alice)
    response = Client(headers=bearer(raw)).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == 'Bearer realm="cybercap"'


def test_an_expired_token_is_rejected(alice: User) -> None:
    _token, raw = token_create(
        user=alice, name="script", expires_in_days=1, now=timezone.now() - dt.timedelta(days=2)
    )
    response = Client(headers=bearer(raw)).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == INVALID


def test_a_deactivated_users_token_is_rejected(alice: User) -> None:
    _token, raw = token_create(user=alice, name="script")
    alice.is_active = False
    alice.deactivated_at = timezone.now()
    alice.save(update_fields=["is_active", "deactivated_at"])
    response = Client(headers=bearer(raw)).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == INVALID


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret, right prefix
        lambda raw: "cc_aaaaaaaa_" + raw.rsplit("_", 1)[1],  # unknown prefix
        lambda raw: raw.upper(),
        lambda raw: "",
        lambda raw: "not a token",
    ],
)
def test_a_wrong_token_is_rejected(alice: User, mangle: Callable[[str], str]) -> None:
    _token, raw = token_create(user=alice, name="script")
    wrong = mangle(raw)
    assert token_authenticate(wrong) is None
    response = Client(headers={"Authorization": f"Bearer {wrong}"}).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_rejected_even_with_a_session(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    client = client_for("focal_point", thailand)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cc_nope"})
    assert response.status_code == 401
    assert response.json() == INVALID


def test_last_used_is_written_at_most_once_a_minute(alice: User) -> None:
    token, raw = token_create(user=alice, name="script")
    start = timezone.now()

    assert token_authenticate(raw, now=start) == alice
    token.refresh_from_db()
    assert token.last_used_at == start

    assert token_authenticate(raw, now=start + dt.timedelta(seconds=59)) == alice
    token.refresh_from_db()
    assert token.last_used_at == start

    later = start + dt.timedelta(seconds=61)
    assert token_authenticate(raw, now=later) == alice
    token.refresh_from_db()
    assert token.last_used_at == later


def test_only_the_owner_or_staff_may_revoke(
    alice: User, make_user: Callable[..., User], thailand: Any
) -> None:
    token, _raw = token_create(user=alice, name="script")
    colleague = make_user("focal_point", thailand)
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, by=colleague)
    token.refresh_from_db()
    assert token.revoked_at is None

    staff = make_user("staff")
    token_revoke(token=token, by=staff)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_twice_keeps_the_first_time(alice: User) -> None:
    token, _raw = token_create(user=alice, name="script")
    first = timezone.now() - dt.timedelta(hours=1)
    token_revoke(token=token, by=alice, now=first)
    token_revoke(token=token, by=alice)
    token.refresh_from_db()
    assert token.revoked_at == first


@pytest.mark.parametrize("days", [0, -1, 367])
def test_expiry_is_bounded(alice: User, days: int) -> None:
    with pytest.raises(ValidationError):
        token_create(user=alice, name="script", expires_in_days=days)
    assert ApiToken.objects.count() == 0


def test_a_token_needs_a_name(alice: User) -> None:
    with pytest.raises(ValidationError):
        token_create(user=alice, name="  ")


def test_a_deactivated_user_gets_no_token(alice: User) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        token_create(user=alice, name="script")


def test_token_writes_are_audited_without_the_hash(alice: User) -> None:
    token, _raw = token_create(user=alice, name="script")
    token_revoke(token=token, by=alice)
    entries = list(
        AuditEntry.objects.filter(model="accounts.ApiToken")
        .order_by("pk")
        .values_list("action", "changes")
    )
    assert [action for action, _changes in entries] == ["create", "update"]
    assert entries[0][1]["token_hash"] == [None, "[redacted]"]
    assert list(entries[1][1]) == ["revoked_at"]


def test_using_a_token_stamps_it_without_filling_the_audit_log(alice: User) -> None:
    token, raw = token_create(user=alice, name="script")
    before = AuditEntry.objects.count()
    Client(headers=bearer(raw), REMOTE_ADDR="192.0.2.7").get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEntry.objects.count() == before


def test_an_actor_named_during_a_request_does_not_outlive_it() -> None:
    from cybercap.core import audit

    outer = audit.Actor(user_id=None, label="anonymous")
    with audit.acting_as(outer):
        audit.set_actor(audit.Actor(user_id=7, label="alice", ip_address="192.0.2.7"))
        assert audit.current_actor() == audit.Actor(7, "alice", "192.0.2.7")
    assert audit.current_actor() is None
