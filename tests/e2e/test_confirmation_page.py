"""The participant's confirmation page in a real browser (strict CSP enforced), with no log-in:
an approved participant opens the signed link from the e-mail, confirms, types passport details
and downloads the visa support letter (the number is in the PDF and nowhere in the database),
then creates an account and lands on their registrations. A second participant declines, and
the person waiting for the country's one seat is promoted. Stale links (replaced, answered by a
decline, expired) answer 410 and say why.

The activity, people and decisions exist beforehand (services); the link is the one the e-mail
carries (``confirmation.link_send``); everything the participant does goes through the page.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cybercap.accounts.models import User
from cybercap.activities import confirmation, services
from cybercap.activities.models import ActivityStatus, Registration, RegistrationStatus
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPORT_NUMBER = "AB9876543"
PASSWORD = "Long enough 2026!"


@pytest.fixture(autouse=True)
def _patient(page: Page) -> None:
    """The PDF and the first pages take seconds on a loaded 2-core machine."""
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    thailand = CountryFactory(code="TH", name="Thailand", time_zone="Asia/Bangkok")
    vietnam = CountryFactory(code="VN", name="Viet Nam", time_zone="Asia/Ho_Chi_Minh")
    tcsd = AgencyFactory(country=thailand, name="Thai Police Cyber Unit", acronym="TCSD")
    a05 = AgencyFactory(country=vietnam, name="Cyber Police Department", acronym="A05")
    staff = UserFactory(username="somsak", is_staff=True)
    RoleFactory(user=staff, role="staff")
    activity = services.activity_create(
        kind="training",
        title="Mobile device forensics for first responders",
        phase=2,
        start_date=timezone.localdate() + dt.timedelta(days=40),
        end_date=timezone.localdate() + dt.timedelta(days=42),
        city="Bangkok",
        time_zone="Asia/Bangkok",
        host_country=thailand,
        capacity=10,
    )
    services.activity_transition(activity=activity, to_status=ActivityStatus.OPEN, by=staff)
    services.quota_set(activity=activity, country=thailand, seats=1)
    services.quota_set(activity=activity, country=vietnam, seats=1)
    somchai = PersonFactory(agency=tcsd, full_name="สมชาย ใจดี", email="Somchai@Example.org")
    hang = PersonFactory(agency=a05, full_name="Nguyễn Thị Hằng", email="hang@example.org")
    lan = PersonFactory(agency=a05, full_name="Trần Thị Lan", email="lan@example.org")
    regs = {
        key: services.nominate(activity=activity, person=person, by=staff)
        for key, person in (("somchai", somchai), ("hang", hang))
    }
    for reg in regs.values():
        services.registration_decide(registration=reg, decision="approve", by=staff)
        reg.refresh_from_db()
    # Viet Nam's one seat is taken: Lan waits for it.
    regs["lan"] = Registration.objects.create(
        activity=activity,
        person=lan,
        country=vietnam,
        status=RegistrationStatus.WAIT_LISTED,
        nominated_at=timezone.now(),
    )
    assert regs["lan"].status == RegistrationStatus.WAIT_LISTED
    return {"activity": activity, "regs": regs, "staff": staff, "base": live_server.url}


def send_link(world: dict[str, Any], key: str) -> str:
    """Staff send the link; returns the URL the e-mail carries."""
    registration = Registration.objects.get(pk=world["regs"][key].pk)
    url = confirmation.link_send(
        registration=registration,
        url_for=lambda token: f"{world['base']}/activities/confirm/{token}/",
        by=world["staff"],
    )
    body = DBTaskResult.objects.order_by("-enqueued_at").first().args_kwargs["kwargs"]["body"]
    assert url in body
    return url


def database_text() -> str:
    """Every row of every table, as text: what a passport number must not be found in."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the introspection
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_a_participant_confirms_gets_a_visa_letter_and_creates_an_account(
    page: Page, world: dict[str, Any], tmp_path: Any
) -> None:
    link = send_link(world, "somchai")
    response = page.goto(link, wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mobile device forensics for first responders"
    )
    expect(page.get_by_text("Personal page of สมชาย ใจดี.")).to_be_visible()
    page.get_by_label("Yes, I will attend").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you: your attendance is confirmed.")).to_be_visible()
    registration = Registration.objects.get(pk=world["regs"]["somchai"].pk)
    assert registration.status == RegistrationStatus.CONFIRMED

    # The visa support letter: typed details, one PDF, nothing kept.
    page.get_by_label("Name as written in the passport").fill("SOMCHAI JAIDEE")
    page.get_by_label("Passport number").fill(PASSPORT_NUMBER)
    page.get_by_label("Nationality").fill("Thai")
    page.get_by_label("Date of birth").fill("1985-04-02")
    page.get_by_label("Passport valid until").fill("2031-01-31")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Make my visa support letter (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"visa-letter-{registration.pk}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(saved.read_bytes())).pages
    )
    assert "Visa support letter" in text
    assert PASSPORT_NUMBER in text
    assert "SOMCHAI JAIDEE" in text
    registration.refresh_from_db()
    assert registration.visa_letter_requested_at is not None
    assert PASSPORT_NUMBER not in database_text()

    # An account through the same link: a weak password is refused, then a good one works.
    page.get_by_label(re.compile(r"^Password:?$")).fill("abc")
    page.get_by_label("The password again").fill("abc")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert not User.objects.filter(username="somchai@example.org").exists()
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{world['base']}/activities/mine/")
    expect(
        page.get_by_text("Your account is ready; your user name is somchai@example.org.")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Mobile device forensics for first responders")
    ).to_be_visible()
    user = User.objects.get(username="somchai@example.org")
    assert user.check_password(PASSWORD)
    assert Registration.objects.get(pk=registration.pk).person.user_id == user.pk


def test_a_decline_promotes_the_wait_list_and_stale_links_say_why(
    page: Page, world: dict[str, Any], monkeypatch: Any
) -> None:
    replaced = send_link(world, "hang")
    link = send_link(world, "hang")
    # A link replaced by a newer one.
    response = page.goto(replaced, wait_until="domcontentloaded")
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(
        page.get_by_text("This link was replaced by a newer one: please use the most recent")
    ).to_be_visible()

    response = page.goto(link, wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    page.get_by_label("No, I cannot attend").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(
        page.get_by_text(
            "We have recorded that you cannot attend “Mobile device forensics for first "
            "responders”. Your place will be offered to someone else."
        )
    ).to_be_visible()
    regs = world["regs"]
    assert Registration.objects.get(pk=regs["hang"].pk).status == RegistrationStatus.DECLINED
    assert Registration.objects.get(pk=regs["lan"].pk).status == RegistrationStatus.APPROVED

    # The same link, once declined.
    response = page.goto(link, wait_until="domcontentloaded")
    assert response is not None and response.status == 410
    # (the day as the page shows it, in the platform's display time zone)
    expect(
        page.get_by_text(
            re.compile(
                r"^You declined this invitation on \d{4}-\d{2}-\d{2}; the link cannot be "
                r"used again\. If you can attend after all, contact your national focal point\.$"
            )
        )
    ).to_be_visible()

    # The promoted participant's link, opened after 30 days.
    late = send_link(world, "lan")
    later = signing.time.time() + (confirmation.LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = page.goto(late, wait_until="domcontentloaded")
    assert response is not None and response.status == 410
    expect(page.get_by_text("This link has expired (links are valid for 30 days).")).to_be_visible()
    assert Registration.objects.get(pk=regs["lan"].pk).status == RegistrationStatus.APPROVED
