"""Two factors: required for staff and reviewers, optional for others; backup codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts import otp
from cybercap.accounts.models import User
from cybercap.core.models import AuditEntry
from tests.accounts.helpers import log_in, totp_code
from tests.factories import confirmed_totp

pytestmark = pytest.mark.django_db


def _enrol(client: Client, user: User, next_url: str = "/") -> Any:
    """Go through the set-up page with a real code from the new device's key."""
    assert client.get(f"/accounts/two-factor/setup/?next={next_url}").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(
        "/accounts/two-factor/setup/", {"token": totp_code(device), "next": next_url}
    )


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_must_set_up_a_second_factor(
    role: str, make_user: Callable[..., User]
) -> None:
    user = make_user(role, username="officer")
    client = Client()
    assert log_in(client, "officer")["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2F"
    enrolled = _enrol(client, user)
    assert enrolled.status_code == 200
    assert len(enrolled.context["codes"]) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(model="accounts.User", object_id=str(user.pk), action="update")
    assert entry.changes == {"authenticator": ["none", "confirmed"]}


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_with_a_device_log_in_asks_for_the_code(role: str, make_user: Callable[..., User]) -> None:
    user = make_user(role, username="officer")
    confirmed_totp(user)
    client = Client()
    response = log_in(client, "officer")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    wrong = client.post("/accounts/two-factor/", {"token": "000000", "next": "/"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {
        "token": ["That code is not valid. Codes change every 30 seconds."]
    }


def test_a_real_code_verifies_the_session(make_user: Callable[..., User]) -> None:
    user = make_user("staff", username="officer")
    device = confirmed_totp(user)
    client = Client()
    log_in(client, "officer")
    response = client.post("/accounts/two-factor/", {"token": totp_code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/users/").status_code == 200


def test_staff_owing_a_code_cannot_reach_account_management(
    make_user: Callable[..., User],
) -> None:
    user = make_user("staff", username="officer")
    confirmed_totp(user)
    client = Client()
    log_in(client, "officer")
    response = client.get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Faccounts%2Fusers%2F"
    assert client.get("/accounts/profile/").status_code == 302
    assert client.get("/accounts/password/").status_code == 302


def test_a_backup_code_works_once(make_user: Callable[..., User]) -> None:
    user = make_user("staff", username="officer")
    confirmed_totp(user)
    codes = otp.backup_codes_regenerate(user=user)
    client = Client()
    log_in(client, "officer")
    first = client.post("/accounts/two-factor/", {"token": codes[0], "next": "/"})
    assert first.status_code == 302
    assert first["Location"] == "/"
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9

    client.post("/accounts/logout/")
    log_in(client, "officer")
    again = client.post("/accounts/two-factor/", {"token": codes[0], "next": "/"})
    assert again.status_code == 200
    assert again.context["form"].errors == {
        "token": ["That code is not valid. Codes change every 30 seconds."]
    }
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"


def test_two_factors_are_optional_for_a_learner(make_user: Callable[..., User]) -> None:
    user = make_user("learner", username="learner")
    client = Client()
    log_in(client, "learner")
    assert client.get("/").status_code == 200
    profile = client.get("/accounts/profile/")
    assert profile.context["two_factor_on"] is False
    assert profile.context["two_factor_required"] is False

    enrolled = _enrol(client, user, "/accounts/profile/")
    assert enrolled.status_code == 200
    assert enrolled.context["next"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").context["two_factor_on"] is True

    client.post("/accounts/logout/")
    response = log_in(client, "learner")
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert client.get("/accounts/profile/")["Location"] == (
        "/accounts/two-factor/?next=%2Faccounts%2Fprofile%2F"
    )
    verified = client.post(
        "/accounts/two-factor/", {"token": totp_code(device, drift=1), "next": "/"}
    )
    assert verified["Location"] == "/"
    assert client.get("/accounts/profile/").status_code == 200


def test_a_learner_may_turn_two_factors_off_with_a_fresh_code(
    make_user: Callable[..., User], settings: Any
) -> None:
    # No back-off after the deliberate wrong code below: the test does not wait a second.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = make_user("learner", username="learner")
    device = confirmed_totp(user)
    otp.backup_codes_regenerate(user=user)
    client = Client()
    log_in(client, "learner")
    client.post("/accounts/two-factor/", {"token": totp_code(device), "next": "/"})

    wrong = client.post("/accounts/two-factor/off/", {"off-token": "123456"})
    assert wrong.status_code == 400
    assert wrong.context["off_form"].errors == {
        "token": ["That code is not valid. Type the code your app shows now."]
    }
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post("/accounts/two-factor/off/", {"off-token": totp_code(device, drift=1)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert TOTPDevice.objects.filter(user=user).count() == 0
    assert StaticToken.objects.filter(device__user=user).count() == 0
    entry = AuditEntry.objects.filter(model="accounts.User", object_id=str(user.pk)).first()
    assert entry is not None
    assert (entry.actor_id, entry.changes) == (user.pk, {"two_factor": ["on", "off"]})

    client.post("/accounts/logout/")
    assert log_in(client, "learner")["Location"] == "/"


def test_staff_may_not_turn_two_factors_off(client_for: Callable[..., Client]) -> None:
    client = client_for("staff")
    user = User.objects.get()
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/two-factor/off/", {"off-token": totp_code(device)})
    assert response.status_code == 400
    assert response.context["off_form"].non_field_errors() == [
        "Your role requires two-factor sign-in; it cannot be turned off."
    ]
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert "Turn two-factor sign-in off" not in client.get("/accounts/profile/").content.decode()


def test_new_backup_codes_need_a_fresh_code_and_replace_the_old(
    client_for: Callable[..., Client],
) -> None:
    client = client_for("staff")
    user = User.objects.get()
    device = TOTPDevice.objects.get(user=user)
    old = otp.backup_codes_regenerate(user=user)

    refused = client.post("/accounts/two-factor/backup-codes/", {"codes-token": old[0]})
    assert refused.status_code == 400
    assert refused.context["codes_form"].errors == {
        "token": ["That code is not valid. Type the code your app shows now."]
    }
    assert otp.verify_any(user=user, token=old[1]) is not None

    response = client.post("/accounts/two-factor/backup-codes/", {"codes-token": totp_code(device)})
    assert response.status_code == 200
    assert response["Cache-Control"] == ("max-age=0, no-cache, no-store, must-revalidate, private")
    new = response.context["codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new}
    assert otp.verify_any(user=user, token=new[0]) is not None
    assert client.get("/accounts/profile/").context["backup_codes_left"] == 9


def test_replacing_the_app_needs_a_verified_session(make_user: Callable[..., User]) -> None:
    user = make_user("learner", username="learner")
    device = confirmed_totp(user)
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Faccounts%2Ftwo-factor%2Fsetup%2F"
    assert TOTPDevice.objects.filter(user=user).count() == 1

    client.post("/accounts/two-factor/", {"token": totp_code(device), "next": "/"})
    replaced = _enrol(client, user, "/accounts/profile/")
    assert replaced.status_code == 200
    remaining = TOTPDevice.objects.get(user=user)
    assert remaining.pk != device.pk
