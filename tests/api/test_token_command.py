"""`cybercap token create|list|revoke`."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from cybercap.accounts.models import ApiToken, User
from cybercap.accounts.tokens import token_create
from cybercap.cli import main

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def alice(make_user: Callable[..., User], thailand: Any) -> User:
    return make_user("focal_point", thailand, username="alice")


def test_create_prints_the_token_once_with_its_expiry(alice: User) -> None:
    lines = run("create", "alice", "--name", "Nightly export", "--days", "10").splitlines()
    token = ApiToken.objects.get(user=alice)
    raw = lines[0]
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.name == "Nightly export"
    assert (token.expires_at - token.created_at).days == 10
    expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    assert lines[1:] == [
        f"Token {token.prefix} for alice expires {expires}. It is shown only now: store it safely."
    ]
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.json()["username"] == "alice"


def test_create_uses_the_default_expiry(alice: User, settings: Any) -> None:
    settings.API_TOKEN_DEFAULT_DAYS = 45
    run("create", "alice")
    token = ApiToken.objects.get(user=alice)
    assert token.name == "Command line"
    assert (token.expires_at - token.created_at).days == 45


def test_create_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match=re.escape("No user is called 'ghost'.")):
        run("create", "ghost")


def test_create_refuses_a_deactivated_user(alice: User) -> None:
    alice.is_active = False
    alice.deactivated_at = timezone.now()
    alice.save(update_fields=["is_active", "deactivated_at"])
    with pytest.raises(CommandError, match=re.escape("The account 'alice' is deactivated.")):
        run("create", "alice")
    assert ApiToken.objects.count() == 0


def test_create_refuses_a_bad_expiry(alice: User) -> None:
    with pytest.raises(CommandError, match=re.escape("A token expires after 1 to 366 days.")):
        run("create", "alice", "--days", "0")


def test_the_cybercap_command_exits_1_on_an_unknown_user(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token", "create", "ghost"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "CommandError: No user is called 'ghost'.\n"


def test_list_shows_the_tokens_without_secrets(alice: User) -> None:
    active, raw = token_create(user=alice, name="active one")
    revoked, _ = token_create(user=alice, name="revoked one")
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    output = run("list", "alice")
    lines = output.splitlines()
    assert lines[0].split() == ["PREFIX", "STATUS", "EXPIRES", "LAST", "USED", "NAME"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {active.prefix, revoked.prefix}
    assert rows[active.prefix].split()[1] == "active"
    assert rows[active.prefix].endswith("active one")
    assert rows[revoked.prefix].split()[1] == "revoked"
    assert raw.rsplit("_", 1)[1] not in output


def test_list_says_when_there_are_none(alice: User) -> None:
    assert run("list", "alice") == "alice has no API tokens.\n"


def test_revoke_by_prefix(alice: User) -> None:
    token, raw = token_create(user=alice, name="x")
    assert run("revoke", token.prefix) == f"Token {token.prefix} of alice is revoked.\n"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    assert run("revoke", token.prefix) == f"Token {token.prefix} was already revoked.\n"


def test_revoke_an_unknown_prefix() -> None:
    with pytest.raises(CommandError, match=re.escape("No token has the prefix 'nothing1'.")):
        run("revoke", "nothing1")
