"""`cybercap demo`: synthetic data, one account per role, logins printed, safe to run twice."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.network.models import Agency, Country, Person

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_one_account_per_role_and_prints_logins() -> None:
    output = run_demo()
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == {role.value for role in Role}
    members = Country.objects.filter(asean_joined__isnull=False)
    assert members.count() == 11
    # The network demo's own agencies and people (the activities demo adds its participants,
    # trainers and experts, and the experts' affiliations, which have no acronym).
    for country in members:
        assert Agency.objects.filter(country=country, is_demo=True).exclude(acronym="").count() == 5
        assert (
            Person.objects.filter(country=country, is_demo=True, email__startswith="person").count()
            == 6
        )
    assert "demo-focal-th        Country focal point (Thailand)" in output
    assert "    password: demo-focal-th-2026!" in output
    staff_uri = re.search(r"demo-staff .*?TOTP:\s+(otpauth://totp/\S+)", output, re.S)
    assert staff_uri is not None
    assert "issuer=cybercap" in staff_uri.group(1)
    codes = re.search(r"demo-staff .*?backup codes: ((?:\S{5}-\S{5} ?){10})\n", output, re.S)
    assert codes is not None
    # Names keep their scripts.
    assert Person.objects.filter(full_name="สมชาย ใจดี", country__code="TH").exists()
    assert Person.objects.filter(full_name="Nguyễn Thị Lan", country__code="VN").exists()


def test_running_the_demo_twice_changes_nothing() -> None:
    run_demo()
    counts = (User.objects.count(), Agency.objects.count(), Person.objects.count())
    uri_first = TOTPDevice.objects.get(user__username="demo-staff").config_url
    output = run_demo()
    assert (User.objects.count(), Agency.objects.count(), Person.objects.count()) == counts
    assert "  agencies created: 0\n  people created: 0\n" in output
    assert TOTPDevice.objects.get(user__username="demo-staff").config_url == uri_first


def test_scale_multiplies_the_data_with_unusable_passwords() -> None:
    run_demo("--scale", "3")
    # The network demo's agencies and people (see above).
    assert Agency.objects.filter(is_demo=True).exclude(acronym="").count() == 11 * 5 * 3
    assert Person.objects.filter(is_demo=True, email__startswith="person").count() == 11 * 6 * 3
    assert User.objects.filter(username__startswith="learner-").count() == 300 * 3
    extra = User.objects.filter(username__endswith="-2")
    assert extra.count() == 7
    assert not any(user.has_usable_password() for user in extra)
    run_demo("--scale", "3")
    assert Agency.objects.filter(is_demo=True).exclude(acronym="").count() == 11 * 5 * 3


def test_demo_logins_work_with_two_factors(settings: Any) -> None:
    run_demo()
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "demo-staff", "password": "demo-staff-2026!"}
    )
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user__username="demo-staff")
    response = client.post("/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Demo data" in page.content.decode()


def test_bad_scale_is_refused() -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_demo("--scale", "0")
    assert exit_info.value.code == 2
    assert User.objects.count() == 0
