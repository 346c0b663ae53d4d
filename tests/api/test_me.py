"""GET /me, and the browser session as a second way in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import User
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_me_describes_the_token_owner(
    api_client_for: Callable[..., Client], thailand: Any, vietnam: Any
) -> None:
    client = api_client_for(
        "focal_point",
        vietnam,
        username="lan",
        first_name="Lan",
        last_name="Nguyen",
        email="lan@example.org",
        time_zone="Asia/Ho_Chi_Minh",
        language="vi",
    )
    user = User.objects.get(username="lan")
    RoleFactory(user=user, role="focal_point", country=thailand)
    RoleFactory(user=user, role="learner")

    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "lan",
        "name": "Lan Nguyen",
        "email": "lan@example.org",
        "time_zone": "Asia/Ho_Chi_Minh",
        "language": "vi",
        "roles": [
            {"role": "focal_point", "country": "TH"},
            {"role": "focal_point", "country": "VN"},
            {"role": "learner", "country": None},
        ],
    }


def test_me_falls_back_to_the_programme_time_zone(
    api_client_for: Callable[..., Client], settings: Any
) -> None:
    client = api_client_for("learner", time_zone="")
    assert client.get("/api/v1/me").json()["time_zone"] == settings.DISPLAY_TIME_ZONE


def test_a_user_without_roles_has_none(api_client_for: Callable[..., Client]) -> None:
    assert api_client_for(None).get("/api/v1/me").json()["roles"] == []


def test_the_browser_session_works(client_for: Callable[..., Client], thailand: Any) -> None:
    response = client_for("focal_point", thailand, username="som").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "som"


def test_staff_session_with_both_factors_works(client_for: Callable[..., Client]) -> None:
    response = client_for("staff", username="boss").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["roles"] == [{"role": "staff", "country": None}]


def test_staff_session_without_the_second_factor_is_refused(
    make_user: Callable[..., User],
) -> None:
    client = Client()
    client.force_login(make_user("staff"))
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Verify your second factor in the browser, or use an API token.",
        "code": "two_factor_required",
        "errors": [],
    }


def test_undeclared_methods_are_405(api_client_for: Callable[..., Client]) -> None:
    response = api_client_for("learner").post("/api/v1/me")
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_a_session_that_turned_two_factors_on_must_verify_them(
    make_user: Callable[..., User],
) -> None:
    from cybercap.accounts.otp import TWO_FACTOR_SESSION_KEY

    client = Client()
    client.force_login(make_user("learner"))
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
