"""The profile: name, e-mail, time zone, language, and the roles held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.forms import REGION_TIME_ZONES, time_zone_choices
from cybercap.accounts.models import User
from cybercap.core.models import AuditEntry
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def _profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Somchai",
        "last_name": "Prasert",
        "email": "somchai@example.org",
        "time_zone": "Asia/Yangon",
        "language": "th",
    }
    data.update(overrides)
    return data


def test_the_region_time_zones_come_first() -> None:
    choices = time_zone_choices()
    assert choices[0][0] == ""
    assert [name for name, _label in choices[1][1]] == list(REGION_TIME_ZONES)
    assert choices[1][1][0] == ("Asia/Yangon", "Asia/Yangon (UTC+6:30)")
    assert choices[1][1][1] == ("Asia/Bangkok", "Asia/Bangkok (UTC+7)")
    everything = [name for name, _label in choices[2][1]]
    assert "Europe/Paris" in everything
    assert "Asia/Yangon" not in everything


def test_a_user_updates_the_profile(client_for: Callable[..., Client]) -> None:
    client = client_for("learner")
    user = User.objects.get()
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert '<option value="Asia/Yangon">Asia/Yangon (UTC+6:30)</option>' in page.content.decode()

    response = client.post("/accounts/profile/", _profile_data())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert response.cookies["django_language"].value == "th"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email, user.time_zone, user.language) == (
        "Somchai",
        "Prasert",
        "somchai@example.org",
        "Asia/Yangon",
        "th",
    )
    entry = AuditEntry.objects.filter(model="accounts.User", action="update").get()
    assert entry.actor_id == user.pk
    assert entry.changes["time_zone"] == ["", "Asia/Yangon"]
    assert entry.changes["language"] == ["", "th"]


def test_saving_unchanged_values_writes_nothing(client_for: Callable[..., Client]) -> None:
    client = client_for("learner")
    user = User.objects.get()
    data = _profile_data(
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        time_zone="",
        language="",
    )
    before = AuditEntry.objects.count()
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before


def test_an_unknown_time_zone_is_refused_and_nothing_typed_is_lost(
    client_for: Callable[..., Client],
) -> None:
    client = client_for("learner")
    response = client.post("/accounts/profile/", _profile_data(time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["time_zone"]
    assert response.context["form"]["first_name"].value() == "Somchai"
    assert User.objects.get().time_zone == ""


def test_an_e_mail_used_by_another_account_is_refused(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    make_user("learner", email="taken@example.org")
    client = client_for("learner", username="me")
    response = client.post("/accounts/profile/", _profile_data(email="taken@example.org"))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["Another account uses this e-mail address."]
    }


def test_times_are_shown_in_the_chosen_zone(client_for: Callable[..., Client]) -> None:
    client = client_for("staff")
    client.post("/accounts/profile/", _profile_data(time_zone="Asia/Yangon"))
    response = client.get("/audit/")
    assert response.context["TIME_ZONE"] == "Asia/Yangon"


def test_the_profile_shows_the_roles_with_their_scope(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    client = client_for("focal_point", thailand)
    user = User.objects.get()
    RoleFactory(user=user, role="learner")
    page = client.get("/accounts/profile/")
    rows = [(a.role, a.country.code if a.country else None) for a in page.context["assignments"]]
    assert sorted(rows, key=str) == sorted([("focal_point", "TH"), ("learner", None)], key=str)
    assert "Country focal point · Thailand" in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(db: Any) -> None:
    response = Client().get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"
