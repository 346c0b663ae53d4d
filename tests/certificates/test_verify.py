"""The public /verify/ pages: valid, unknown, mistyped and revoked codes; nothing else leaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.certificates import ratelimit
from cybercap.certificates.models import Certificate
from cybercap.certificates.services import holder_initials_set, revoke_certificate

pytestmark = pytest.mark.django_db

# Everything about the holder and the activity that the public page must never show.
PRIVATE = [
    "somchai@example.org",
    "Thai Police Cyber Unit",
    "Thailand",
    "Bangkok",
    "Viet Nam",
    "Nguyễn",
    "score",
    "%",
]


def _unknown_code() -> str:
    from cybercap.certificates import codes

    while True:
        code = codes.generate()
        if not Certificate.objects.filter(code=code).exists():
            return code


def test_a_valid_certificate_shows_name_title_dates_and_validity(
    client: Client, attendance_cert: Callable[..., Any], registered: Any
) -> None:
    cert = attendance_cert("th")
    response = client.get(f"/verify/{cert.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "สมชาย ใจดี" in html
    assert "Mobile device forensics, level 2" in html
    assert "2026-03-02 \u2013 2026-03-04" in html
    assert "<strong>Valid</strong>" in html
    assert response.context["certificate"] == {
        "code": cert.code,
        "holder": "สมชาย ใจดี",
        "title": "Mobile device forensics, level 2",
        "starts": cert.starts,
        "ends": cert.ends,
        "status": "valid",
    }
    for private in PRIVATE:
        assert private not in html, private
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_holder_may_show_initials_only(
    client: Client, attendance_cert: Callable[..., Any]
) -> None:
    cert = attendance_cert("vn")
    holder_initials_set(certificates=Certificate.objects.filter(pk=cert.pk), initials_only=True)
    html = client.get(f"/verify/{cert.code}").content.decode()
    assert "N. T. H." in html
    for part in ("Nguyễn", "Thị", "Hằng"):
        assert part not in html


def test_a_revoked_certificate_says_so_but_not_why(
    client: Client, attendance_cert: Callable[..., Any], staff: Any
) -> None:
    cert = attendance_cert("th")
    revoke_certificate(cert, reason="Fraudulent attendance record", by=staff)
    response = client.get(f"/verify/{cert.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Revoked</strong>" in html
    assert "<strong>Valid</strong>" not in html
    assert "Fraudulent" not in html
    assert response.context["certificate"]["status"] == "revoked"


def test_an_unknown_code_is_a_clear_not_found(client: Client, db: Any) -> None:
    response = client.get(f"/verify/{_unknown_code()}")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificate not found" in html
    assert "No certificate has this code." in html


def test_a_mistyped_code_is_told_apart(client: Client, attendance_cert: Callable[..., Any]) -> None:
    code = attendance_cert().code
    last = code[-1]
    typo = code[:-1] + ("0" if last != "0" else "1")
    response = client.get(f"/verify/{typo}")
    assert response.status_code == 404
    assert "check it for typing mistakes" in response.content.decode()
    assert client.get("/verify/not-a-code").status_code == 404


def test_a_code_as_typed_goes_to_its_canonical_page(
    client: Client, attendance_cert: Callable[..., Any]
) -> None:
    code = attendance_cert().code
    response = client.get(f"/verify/{code.lower().replace('-', '')}")
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}"


def test_the_form_takes_a_typed_code(client: Client, attendance_cert: Callable[..., Any]) -> None:
    code = attendance_cert().code
    page = client.get("/verify/")
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    response = client.get("/verify/", {"code": f" {code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}"
    bad = client.get("/verify/", {"code": "ABCD"})
    assert bad.status_code == 400
    assert "check it for typing mistakes" in bad.content.decode()


def test_signed_in_visitors_see_the_same_page(
    client_for: Callable[..., Client], attendance_cert: Callable[..., Any]
) -> None:
    cert = attendance_cert("th")
    response = client_for("learner").get(f"/verify/{cert.code}")
    assert response.status_code == 200
    assert "somchai@example.org" not in response.content.decode()


def test_guessing_is_stopped_after_too_many_unknown_codes(
    client: Client, attendance_cert: Callable[..., Any]
) -> None:
    real = attendance_cert().code
    # Looking up real certificates never counts.
    for _ in range(ratelimit.MISSES_ALLOWED + 5):
        assert client.get(f"/verify/{real}").status_code == 200
    for _ in range(ratelimit.MISSES_ALLOWED):
        assert client.get(f"/verify/{_unknown_code()}").status_code == 404
    limited = client.get(f"/verify/{real}")
    assert limited.status_code == 429
    assert limited["Retry-After"] == str(ratelimit.WINDOW)
    assert "Too many look-ups" in limited.content.decode()
    # Another address is not affected.
    assert client.get(f"/verify/{real}", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_page_reads_a_fixed_number_of_queries(
    client: Client,
    attendance_cert: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    code = attendance_cert().code
    # The certificate, and whether the installation holds demo data (the shell's banner).
    with django_assert_max_num_queries(2):
        client.get(f"/verify/{code}")
