"""An invitation in a real browser: a focal point invites an officer of a Thai agency, the
officer opens the link, chooses a name, password and language, and lands enrolled in the course.
(No script on these pages; the page fixture fails the test on any CSP violation.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from cybercap.accounts.models import User
from cybercap.elearning.models import Course, Enrolment, Invitation
from tests.accounts.test_register import _deliver
from tests.browser import log_in
from tests.factories import AgencyFactory, CountryFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long learner passphrase 2026"


def test_a_focal_point_invites_and_the_officer_joins(
    page: Page, browser: Browser, live_server: object
) -> None:
    base = str(live_server)
    page.set_default_timeout(30_000)  # a busy shared machine
    thailand = CountryFactory(code="TH", name="Thailand", asean_joined=dt.date(1967, 8, 8))
    agency = AgencyFactory(country=thailand, name="Royal Thai Police Cyber Unit")
    course = Course.objects.create(
        key="first-responder",
        version="1.0.0",
        content_hash="-",
        language="en",
        title="First response to digital evidence",
        description="-",
        audience="Officers first at a scene.",
        legal_basis_heading="-",
        legal_basis_empty="-",
    )
    focal = UserFactory(username="focal.th")
    RoleFactory(user=focal, role="focal_point", country=thailand)
    mail.outbox.clear()

    log_in(page, base, focal.username)
    page.goto(f"{base}/learn/{course.key}/invitations/")
    page.get_by_label("Agency").select_option(label="Thailand: Royal Thai Police Cyber Unit")
    page.get_by_label("E-mail addresses").fill("Somchai@Example.org")
    page.get_by_role("button", name="Check the list and send the invitations").click()
    expect(page.get_by_text("1 invitation sent.")).to_be_visible()
    expect(page.locator('td[data-status="sent"]')).to_have_count(1)

    _deliver()
    assert [m.to for m in mail.outbox] == [["somchai@example.org"]]
    found = re.search(r"http://127\.0\.0\.1:8000(/learn/join/\S+/)", mail.outbox[0].body)
    assert found is not None
    link = found.group(1)

    officer = browser.new_context(locale="en-GB").new_page()
    officer.set_default_timeout(30_000)
    officer.goto(f"{base}{link}")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    expect(officer.locator("dl.facts")).to_contain_text("Royal Thai Police Cyber Unit")
    officer.get_by_label("Full name").fill("Somchai Jaidee")
    officer.get_by_label("Preferred language").select_option("en")
    officer.locator("#id_password1").fill(PASSWORD)
    officer.locator("#id_password2").fill(PASSWORD)
    officer.get_by_role("checkbox").check()
    officer.get_by_role("button", name="Create my account and enrol").click()
    expect(officer).to_have_url(f"{base}/learn/{course.key}/")
    expect(
        officer.get_by_text("Welcome! Your account is active and you are enrolled.")
    ).to_be_visible()
    officer.context.close()

    user = User.objects.get(username="somchai@example.org")
    assert (user.first_name, user.is_active, user.person.agency_id) == (
        "Somchai Jaidee",
        True,
        agency.pk,
    )
    assert Enrolment.objects.filter(user=user, course=course).count() == 1
    page.reload()
    expect(page.locator('td[data-status="accepted"]')).to_have_count(1)
    assert Invitation.objects.get().user_id == user.pk
