"""The Django admin for staff: users with their roles; tokens and the audit log read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import ApiToken, User
from cybercap.accounts.tokens import token_create
from cybercap.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_staff_see_users_with_their_role_assignments(
    client_for: Callable[..., Client], make_user: Callable[..., User], thailand: Any
) -> None:
    client = client_for("staff")
    account = make_user("focal_point", thailand)
    assert client.get("/admin/accounts/user/").status_code == 200
    page = client.get(f"/admin/accounts/user/{account.pk}/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert [form.instance.country_id for form in inline.forms if form.instance.pk] == [thailand.pk]
    assert client.get(f"/admin/accounts/user/{account.pk}/delete/").status_code == 403


def test_tokens_and_the_audit_log_are_read_only(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client = client_for("staff")
    token, _raw = token_create(user=make_user("learner"), name="script")
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert client.get("/admin/accounts/apitoken/").status_code == 200
    assert client.get(f"/admin/accounts/apitoken/{token.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    before = AuditEntry.objects.count()
    response = client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"actor_label": "x"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    refused = client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).count() == 1


def test_others_do_not_reach_the_admin(client_for: Callable[..., Client], thailand: Any) -> None:
    client = client_for("focal_point", thailand)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/accounts/user/"
