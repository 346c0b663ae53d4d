"""The web page where each user lists, creates and revokes their own API tokens."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import ApiToken, User
from cybercap.accounts.tokens import token_create
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user: Callable[..., User], thailand: Any) -> User:
    return make_user("focal_point", thailand, username="alice")


def test_it_lists_only_my_tokens(alice: User, make_user: Callable[..., User]) -> None:
    token_create(user=alice, name="Alice's statistics upload")
    token_create(user=make_user("learner"), name="Someone else's script")
    response = login(Client(), alice).get("/accounts/tokens/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice&#x27;s statistics upload" in page
    assert "Someone else" not in page


def test_it_creates_a_token_and_shows_it_once(alice: User) -> None:
    client = login(Client(), alice)
    response = client.post("/accounts/tokens/new/", {"name": "Uploader", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'value="(cc_[^"]+)"', response.content.decode())
    assert raw is not None
    token = ApiToken.objects.get(user=alice)
    assert token.name == "Uploader"
    assert token.token_hash == hashlib.sha256(raw.group(1).encode()).hexdigest()
    assert (token.expires_at - token.created_at).days == 30

    listing = client.get("/accounts/tokens/").content.decode()
    assert raw.group(1) not in listing
    assert token.prefix in listing
    assert (
        Client(headers={"Authorization": f"Bearer {raw.group(1)}"})
        .get("/api/v1/me")
        .json()["username"]
        == "alice"
    )


def test_a_token_needs_a_name_and_a_listed_expiry(alice: User) -> None:
    client = login(Client(), alice)
    response = client.post("/accounts/tokens/new/", {"name": "", "days": "9999"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"name", "days"}
    assert ApiToken.objects.count() == 0


def test_i_can_revoke_my_token(alice: User) -> None:
    token, raw = token_create(user=alice, name="Uploader")
    client = login(Client(), alice)
    response = client.post(f"/accounts/tokens/{token.prefix}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    page = client.get("/accounts/tokens/").content.decode()
    assert "The token Uploader is revoked." in page
    assert f"/accounts/tokens/{token.prefix}/revoke/" not in page


def test_i_cannot_revoke_someone_elses_token(alice: User, make_user: Callable[..., User]) -> None:
    token, _raw = token_create(user=make_user("learner"), name="Theirs")
    response = login(Client(), alice).post(f"/accounts/tokens/{token.prefix}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_post(alice: User) -> None:
    token, _raw = token_create(user=alice, name="Uploader")
    assert login(Client(), alice).get(f"/accounts/tokens/{token.prefix}/revoke/").status_code == 405


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/tokens/"
    response = client.post("/accounts/tokens/new/", {"name": "x", "days": "30"})
    assert response.status_code == 302
    assert ApiToken.objects.count() == 0


def test_staff_must_have_verified_the_second_factor(make_user: Callable[..., User]) -> None:
    client = Client()
    client.force_login(make_user("staff"))
    response = client.post("/accounts/tokens/new/", {"name": "x", "days": "30"})
    assert response.status_code == 302
    # The staff member has no authenticator yet: set one up first.
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Faccounts%2Ftokens%2Fnew%2F"
    assert ApiToken.objects.count() == 0


def test_staff_with_both_factors_can_create(client_for: Callable[..., Client]) -> None:
    response = client_for("staff").post("/accounts/tokens/new/", {"name": "x", "days": "7"})
    assert response.status_code == 200
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("items", [1, 3])
def test_the_list_takes_a_fixed_number_of_queries(
    alice: User, django_assert_num_queries: Any, items: int
) -> None:
    for n in range(items):
        token_create(user=alice, name=f"token {n}")
    client = login(Client(), alice)
    client.get("/accounts/tokens/")
    # User, roles, tokens (the session is cached).
    with django_assert_num_queries(3):
        response = client.get("/accounts/tokens/")
    assert len(response.context["tokens"]) == items


def test_an_expired_token_shows_as_expired_with_no_revoke_button(alice: User) -> None:
    import datetime as dt

    from django.utils import timezone

    token, _raw = token_create(
        user=alice, name="Old", expires_in_days=1, now=timezone.now() - dt.timedelta(days=3)
    )
    page = login(Client(), alice).get("/accounts/tokens/").content.decode()
    assert "Expired" in page
    assert f"/accounts/tokens/{token.prefix}/revoke/" not in page
