"""Staff pages: users, their roles, deactivation. Staff only: others get 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.test import Client

from cybercap.accounts import services
from cybercap.accounts.models import ApiToken, RoleAssignment, User
from cybercap.accounts.tokens import token_create
from cybercap.core.models import AuditEntry
from tests.accounts.helpers import log_in
from tests.factories import PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/accounts/users/", "/audit/"]


def _staff(client_for: Callable[..., Client]) -> tuple[Client, User]:
    client = client_for("staff", username="staffer")
    return client, User.objects.get(username="staffer")


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_reach_the_staff_pages(path: str, client_for: Callable[..., Client]) -> None:
    client, _user = _staff(client_for)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("role", ["focal_point", "investigator", "learner", "reviewer", None])
def test_others_are_refused_with_403(
    path: str, role: str | None, client_for: Callable[..., Client], thailand: Any
) -> None:
    country = thailand if role in ("focal_point", "investigator") else None
    client = client_for(role, country)
    response = client.get(path)
    assert response.status_code == 403
    assert "Your roles do not give you access to this page." in response.content.decode()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(path: str, db: Any) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_a_focal_point_of_thailand_sees_nothing_of_viet_nam_here(
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    thailand: Any,
    vietnam: Any,
) -> None:
    other = make_user("focal_point", vietnam, username="vn-focal")
    client = client_for("focal_point", thailand)
    assert client.get(f"/accounts/users/{other.pk}/").status_code == 403
    assert client.get("/accounts/users/?country=VN").status_code == 403
    assert client.get(f"/audit/?model=accounts.User&object_id={other.pk}").status_code == 403
    refused = client.post(f"/accounts/users/{other.pk}/deactivate/")
    assert refused.status_code == 403
    assert User.objects.get(pk=other.pk).is_active is True
    profile = client.get("/accounts/profile/").content.decode()
    assert "Viet Nam" not in profile
    assert "vn-focal" not in profile


def test_an_unknown_user_is_404_for_staff(client_for: Callable[..., Client]) -> None:
    client, _user = _staff(client_for)
    assert client.get("/accounts/users/999999/").status_code == 404


# --- the list -------------------------------------------------------------------------------------


def _listed(response: Any) -> list[str]:
    return [account.username for account in response.context["page"].object_list]


def test_the_list_filters_by_role_country_status_and_text(
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    thailand: Any,
    vietnam: Any,
) -> None:
    client, _user = _staff(client_for)
    make_user("focal_point", thailand, username="th-focal", last_name="Chai")
    make_user("focal_point", vietnam, username="vn-focal", last_name="Nguyen")
    make_user("investigator", thailand, username="th-inv", last_name="Boon")
    make_user("learner", username="gone", last_name="Zed", is_active=False)

    assert _listed(client.get("/accounts/users/?role=focal_point")) == ["th-focal", "vn-focal"]
    assert _listed(client.get("/accounts/users/?country=TH")) == ["th-inv", "th-focal"]
    assert _listed(client.get("/accounts/users/?role=focal_point&country=TH")) == ["th-focal"]
    assert _listed(client.get("/accounts/users/?role=investigator&country=VN")) == []
    assert _listed(client.get("/accounts/users/?active=no")) == ["gone"]
    assert _listed(client.get("/accounts/users/?q=nguyen")) == ["vn-focal"]
    assert _listed(client.get("/accounts/users/?q=th-inv@example")) == ["th-inv"]
    assert len(_listed(client.get("/accounts/users/?active=yes"))) == 4


def test_the_list_is_paginated(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client, _user = _staff(client_for)
    for number in range(30):
        make_user("learner", username=f"learner{number:02d}", last_name=f"L{number:02d}")
    first = client.get("/accounts/users/?role=learner")
    assert len(_listed(first)) == 25
    assert first.context["page"].paginator.count == 30
    second = client.get("/accounts/users/?role=learner&page=2")
    assert len(_listed(second)) == 5
    assert 'href="?role=learner&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(
    count: int,
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    thailand: Any,
    django_assert_num_queries: Any,
) -> None:
    client, _user = _staff(client_for)
    for number in range(count):
        user = make_user("focal_point", thailand, username=f"fp{number}")
        RoleFactory(user=user, role="learner")
        PersonFactory(user=user, country=thailand, agency__country=thailand)
    client.get("/accounts/users/")  # warm the session's last-seen mark
    # user, OTP device, role grants, the chosen country, count, page, roles (prefetched),
    # the country options of the filter; the session is cached
    with django_assert_num_queries(8):
        response = client.get("/accounts/users/?country=TH")
    assert len(_listed(response)) == count


# --- role assignments -----------------------------------------------------------------------------


def test_staff_give_a_country_role_with_its_country(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client, staffer = _staff(client_for)
    account = make_user(None, username="newcomer")
    response = client.post(
        f"/accounts/users/{account.pk}/roles/", {"role": "focal_point", "country": thailand.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{account.pk}/"
    assignment = RoleAssignment.objects.get(user=account)
    assert (assignment.role, assignment.country_id, assignment.granted_by_id) == (
        "focal_point",
        thailand.pk,
        staffer.pk,
    )
    entry = AuditEntry.objects.get(
        model="accounts.RoleAssignment", action="create", object_id=str(assignment.pk)
    )
    assert entry.actor_id == staffer.pk
    assert entry.changes["role"] == [None, "focal_point"]
    assert entry.changes["country_id"] == [None, thailand.pk]


@pytest.mark.parametrize(
    ("role", "with_country", "message"),
    [
        ("focal_point", False, "This role is scoped to one country: choose it."),
        ("investigator", False, "This role is scoped to one country: choose it."),
        ("staff", True, "This role is not scoped to a country: leave the country empty."),
        ("learner", True, "This role is not scoped to a country: leave the country empty."),
    ],
)
def test_the_country_scope_rule_is_enforced(
    role: str,
    with_country: bool,
    message: str,
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    thailand: Any,
) -> None:
    client, _user = _staff(client_for)
    account = make_user(None)
    data = {"role": role, "country": thailand.pk if with_country else ""}
    response = client.post(f"/accounts/users/{account.pk}/roles/", data)
    assert response.status_code == 400
    assert response.context["role_form"].errors == {"country": [message]}
    assert RoleAssignment.objects.filter(user=account).count() == 0


def test_a_duplicate_role_is_a_form_error(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client, _user = _staff(client_for)
    account = make_user("focal_point", thailand)
    response = client.post(
        f"/accounts/users/{account.pk}/roles/", {"role": "focal_point", "country": thailand.pk}
    )
    assert response.status_code == 400
    assert response.context["role_form"].non_field_errors() == [
        "This user already holds that role in that scope."
    ]
    assert RoleAssignment.objects.filter(user=account).count() == 1


def test_a_user_may_hold_several_roles(
    client_for: Callable[..., Client],
    make_user: Callable[..., User],
    thailand: Any,
    vietnam: Any,
) -> None:
    client, staffer = _staff(client_for)
    account = make_user("focal_point", thailand)
    services.role_assign(user=account, role="focal_point", country=vietnam, by=staffer)
    services.role_assign(user=account, role="trainer", by=staffer)
    page = client.get(f"/accounts/users/{account.pk}/")
    held = sorted(
        (a.role, a.country.code if a.country else "") for a in page.context["assignments"]
    )
    assert held == [("focal_point", "TH"), ("focal_point", "VN"), ("trainer", "")]


def test_the_database_constraint_is_mapped_to_a_form_error(
    make_user: Callable[..., User], thailand: Any
) -> None:
    """Bypassing the form's own check, the database constraint still answers in words."""
    staffer = make_user("staff")
    account = make_user(None)
    with pytest.raises(services.AccountsError) as raised:
        services.role_assign(user=account, role="trainer", country=thailand, by=staffer)
    assert raised.value.field == "country"
    assert RoleAssignment.objects.filter(user=account).count() == 0


def test_staff_remove_a_role(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client, staffer = _staff(client_for)
    account = make_user("focal_point", thailand)
    assignment = RoleAssignment.objects.get(user=account)
    response = client.post(f"/accounts/users/{account.pk}/roles/{assignment.pk}/remove/")
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=account).count() == 0
    entry = AuditEntry.objects.get(model="accounts.RoleAssignment", action="delete")
    assert (entry.actor_id, entry.object_id) == (staffer.pk, str(assignment.pk))


def test_a_role_of_another_user_is_404(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client, _user = _staff(client_for)
    account = make_user("learner")
    other = make_user("focal_point", thailand)
    foreign = RoleAssignment.objects.get(user=other)
    response = client.post(f"/accounts/users/{account.pk}/roles/{foreign.pk}/remove/")
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=foreign.pk).count() == 1


def test_staff_cannot_remove_their_own_staff_role(client_for: Callable[..., Client]) -> None:
    client, staffer = _staff(client_for)
    own = RoleAssignment.objects.get(user=staffer, role="staff")
    response = client.post(f"/accounts/users/{staffer.pk}/roles/{own.pk}/remove/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You cannot remove your own staff role; ask another member of staff."
    ]
    assert RoleAssignment.objects.filter(pk=own.pk).count() == 1


# --- deactivation ---------------------------------------------------------------------------------


def test_deactivation_keeps_the_history_and_blocks_every_door(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client, staffer = _staff(client_for)
    account = make_user("focal_point", thailand, username="leaving")
    person = PersonFactory(user=account, country=thailand, agency__country=thailand)
    _token, raw = token_create(user=account, name="script")
    bearer = {"Authorization": f"Bearer {raw}"}
    assert Client(headers=bearer).get("/api/v1/countries").status_code == 200
    their_browser = Client()
    log_in(their_browser, "leaving")
    assert their_browser.get("/").status_code == 200
    history_before = AuditEntry.objects.filter(
        Q(actor=account) | Q(model="accounts.User", object_id=str(account.pk))
    ).count()
    assert history_before >= 2

    response = client.post(f"/accounts/users/{account.pk}/deactivate/")
    assert response.status_code == 302

    account.refresh_from_db()
    assert account.is_active is False
    assert account.deactivated_at is not None
    person.refresh_from_db()
    assert person.user_id == account.pk
    assert RoleAssignment.objects.filter(user=account).count() == 1
    assert ApiToken.objects.get(user=account).revoked_at == account.deactivated_at
    entry = AuditEntry.objects.filter(
        model="accounts.User", object_id=str(account.pk), action="update"
    ).first()
    assert entry is not None
    assert entry.actor_id == staffer.pk
    assert entry.changes["is_active"] == [True, False]
    assert (
        AuditEntry.objects.filter(
            Q(actor=account) | Q(model="accounts.User", object_id=str(account.pk))
        ).count()
        == history_before + 1
    )

    assert their_browser.get("/").status_code == 302
    assert log_in(Client(), "leaving").status_code == 200
    assert Client(headers=bearer).get("/api/v1/countries").status_code == 401
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(account.pk)


def test_reactivation_lets_them_log_in_but_tokens_stay_revoked(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client, staffer = _staff(client_for)
    account = make_user("learner", username="back")
    _token, raw = token_create(user=account, name="script")
    services.user_deactivate(user=account, by=staffer)
    response = client.post(f"/accounts/users/{account.pk}/reactivate/")
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.is_active, account.deactivated_at) == (True, None)
    assert log_in(Client(), "back")["Location"] == "/"
    bearer = {"Authorization": f"Bearer {raw}"}
    assert Client(headers=bearer).get("/api/v1/countries").status_code == 401


def test_staff_cannot_deactivate_themselves(client_for: Callable[..., Client]) -> None:
    client, staffer = _staff(client_for)
    response = client.post(f"/accounts/users/{staffer.pk}/deactivate/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You cannot deactivate your own account."
    ]
    staffer.refresh_from_db()
    assert staffer.is_active is True


def test_a_deactivated_user_gets_no_new_role(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client, _staffer = _staff(client_for)
    account = make_user(None, is_active=False)
    response = client.post(f"/accounts/users/{account.pk}/roles/", {"role": "learner"})
    assert response.status_code == 400
    assert response.context["role_form"].non_field_errors() == [
        "Reactivate the account before giving it a role."
    ]


def test_services_outside_a_request_record_the_acting_user(
    make_user: Callable[..., User],
) -> None:
    staffer = make_user("staff")
    account = make_user("learner")
    services.user_deactivate(user=account, by=staffer)
    entry = AuditEntry.objects.filter(model="accounts.User", object_id=str(account.pk)).first()
    assert entry is not None
    assert (entry.actor_id, entry.actor_label) == (staffer.pk, staffer.username)
