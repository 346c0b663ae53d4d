"""The API: one's own certificates (token or session) and the public verification of a code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.tokens import token_create
from cybercap.certificates import codes, ratelimit
from cybercap.certificates.models import Certificate
from cybercap.certificates.services import (
    holder_initials_set,
    issue_certificate,
    revoke_certificate,
)
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def _token_client(user: Any) -> Client:
    _token, raw = token_create(user=user, name="test")
    return Client(headers=bearer(raw))


@pytest.fixture
def holder(make_user: Callable[..., Any], people: dict[str, Any]) -> Any:
    user = make_user("learner", username="somchai")
    people["th"].user = user
    people["th"].save()
    return user


def test_mine_lists_only_the_callers_certificates(
    holder: Any,
    make_user: Callable[..., Any],
    attendance_cert: Callable[..., Any],
    settings: Any,
) -> None:
    settings.SITE_URL = "https://cybercap.example.org"
    mine = attendance_cert("th")
    attendance_cert("vn")
    body = _token_client(holder).get("/api/v1/certificates/mine").json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "code": mine.code,
            "kind": "attendance",
            "title": "Mobile device forensics, level 2",
            "starts": "2026-03-02",
            "ends": "2026-03-04",
            "activity": mine.activity_id,
            "course": "",
            "holder_name": "สมชาย ใจดี",
            "language": "en",
            "issued_at": body["items"][0]["issued_at"],
            "status": "valid",
            "show_initials_only": False,
            "pdf_url": f"/certificates/{mine.code}.pdf",
            "verify_url": f"https://cybercap.example.org/verify/{mine.code}",
        }
    ]
    for role in ("staff", "trainer", "focal_point", "reviewer", "investigator", "learner"):
        country = mine.holder_person.country if role in ("focal_point", "investigator") else None
        other = _token_client(make_user(role, country))
        assert other.get("/api/v1/certificates/mine").json()["count"] == 0, role
    assert Client().get("/api/v1/certificates/mine").status_code == 401


def test_mine_reads_a_fixed_number_of_queries(
    holder: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        issue_certificate(
            holder_user=holder,
            kind="achievement",
            title=f"Course {n}",
            starts=dt.date(2026, 1, 1),
            ends=dt.date(2026, 1, 2),
            course_key=f"course-{n}",
        )
    client = _token_client(holder)
    # token (with its user), token use, grants, count, page
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/certificates/mine").json()["count"] == 3


def test_verify_needs_no_token_and_shows_only_the_public_fields(
    attendance_cert: Callable[..., Any],
) -> None:
    cert = attendance_cert("th")
    response = Client().get(f"/api/v1/certificates/verify/{cert.code}")
    assert response.status_code == 200
    assert response.json() == {
        "code": cert.code,
        "holder": "สมชาย ใจดี",
        "title": "Mobile device forensics, level 2",
        "starts": "2026-03-02",
        "ends": "2026-03-04",
        "status": "valid",
    }
    assert response["Cache-Control"] == "no-store"
    typed = Client().get(f"/api/v1/certificates/verify/{cert.code.lower().replace('-', '')}")
    assert typed.json()["code"] == cert.code


def test_verify_respects_initials_and_revocation(
    attendance_cert: Callable[..., Any], staff: Any
) -> None:
    cert = attendance_cert("vn")
    holder_initials_set(certificates=Certificate.objects.filter(pk=cert.pk), initials_only=True)
    revoke_certificate(cert, reason="Wrong activity", by=staff)
    body = Client().get(f"/api/v1/certificates/verify/{cert.code}").json()
    assert (body["holder"], body["status"]) == ("N. T. H.", "revoked")
    assert "Wrong activity" not in str(body)


def test_verify_unknown_and_mistyped_codes_are_404(db: Any) -> None:
    unknown = codes.generate()
    response = Client().get(f"/api/v1/certificates/verify/{unknown}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No certificate has this code.",
        "code": "not_found",
        "errors": [],
    }
    mistyped = Client().get("/api/v1/certificates/verify/AAAA-AAAA-AAAA")
    assert mistyped.status_code == 404
    assert "typing mistakes" in mistyped.json()["detail"]
    too_long = Client().get(f"/api/v1/certificates/verify/{'A' * 41}")
    assert too_long.status_code == 422


def test_verify_is_rate_limited_with_the_page(
    attendance_cert: Callable[..., Any],
) -> None:
    real = attendance_cert().code
    client = Client()
    for _ in range(ratelimit.MISSES_ALLOWED // 2):
        assert client.get(f"/verify/{codes.generate()}").status_code == 404
    for _ in range(ratelimit.MISSES_ALLOWED - ratelimit.MISSES_ALLOWED // 2):
        assert client.get(f"/api/v1/certificates/verify/{codes.generate()}").status_code == 404
    limited = client.get(f"/api/v1/certificates/verify/{real}")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert limited["Retry-After"] == str(ratelimit.WINDOW)
    assert client.get(f"/verify/{real}").status_code == 429
