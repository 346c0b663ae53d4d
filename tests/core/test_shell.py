from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_dashboard_redirects_to_login(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_every_page_has_a_strict_csp(client: Any) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy.split("; ")
    assert "'unsafe-inline'" not in policy


def test_healthz_answers(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
