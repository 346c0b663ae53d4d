"""The web shell in a real browser: two-factor login, dashboards per role, language, keyboard,
htmx filtering, and an axe-core check of every page of the shell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from cybercap.accounts.models import Role
from cybercap.core import demo_flag
from cybercap.network.models import Gender
from tests.browser import current_code, log_in
from tests.factories import AgencyFactory, PersonFactory, RoleFactory, TopicFactory, UserFactory

# Screenshots to look at by eye; outside the repository.
SHOTS = "/tmp"  # noqa: S108 - written for a person to view, never read back

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(thailand: Any, vietnam: Any) -> dict[str, Any]:
    """A little demo world: two countries, agencies, people, topics."""
    th_unit = AgencyFactory(
        name="Technology Crime Suppression Division",
        acronym="TCSD",
        country=thailand,
        is_demo=True,
    )
    vn_unit = AgencyFactory(name="Cyber Security Department", country=vietnam, is_demo=True)
    forensics = TopicFactory(key="digital-forensics", name="Digital forensics")
    TopicFactory(key="mobile-forensics", name="Mobile forensics", parent=forensics)
    demo_flag.forget()
    return {
        "th_unit": th_unit,
        "vn_unit": vn_unit,
        "somchai": PersonFactory(full_name="Somchai Prasert", agency=th_unit, gender=Gender.MALE),
        "malee": PersonFactory(full_name="Malee Chaiyo", agency=th_unit, gender=Gender.FEMALE),
        "lan": PersonFactory(full_name="Nguyen Thi Lan", agency=vn_unit, gender=Gender.FEMALE),
    }


def _user(username: str, role: str | None, country: Any = None) -> Any:
    user = UserFactory(username=username, first_name=username.title(), last_name="Tester")
    if role is not None:
        RoleFactory(user=user, role=role, country=country)
    return user


def _enrolled(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _log_in_with_code(
    page: Page, base: str, user: Any, device: TOTPDevice, *, drift: int = 0
) -> None:
    log_in(page, base, user.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    page.get_by_label("Code").fill(current_code(device, drift=drift))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/")


# --- login and dashboards ----------------------------------------------------------------------


def test_staff_enrol_a_second_factor_then_log_in_with_it(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    staff = _user("somsak", Role.STAFF)
    log_in(page, base, "somsak")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    page.get_by_text("Cannot scan? Type this key instead").click()
    secret = page.locator("code.secret").inner_text().strip()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    from base64 import b32decode

    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    page.get_by_label("Code from your app").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()
    expect(page.locator(".site-nav").get_by_role("link", name="Audit log")).to_have_count(1)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    # The second time the code comes from the enrolled device. A code is accepted once, so
    # this one is the next window's, which the device's tolerance of one step accepts.
    device.refresh_from_db()
    assert device.confirmed is True
    _log_in_with_code(page, base, staff, device, drift=1)
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()


def test_a_focal_point_logs_in_without_a_second_factor_and_sees_their_country(
    page: Page, live_server: Any, thailand: Any, world: dict[str, Any]
) -> None:
    _user("malai", Role.FOCAL_POINT, thailand)
    log_in(page, live_server.url, "malai")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Focal point for Thailand")).to_be_visible()
    expect(page.get_by_role("heading", name="Programme overview")).to_have_count(0)
    expect(page.locator(".demo-banner")).to_have_text(
        "Demo data: every country, agency and person shown here is synthetic."
    )
    panel = page.locator(".panel--focal-point")
    expect(panel.locator("dd")).to_have_text(["1", "2"])
    # The people list holds only Thai people.
    page.locator(".site-nav").get_by_role("link", name="People").click()
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.goto(f"{live_server.url}/network/people/{world['lan'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_switching_language_changes_the_page_language(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    _user("lena", Role.LEARNER)
    log_in(page, live_server.url, "lena")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("th")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#language-select")).to_have_value("th")


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    _user("lena", Role.LEARNER)
    log_in(page, live_server.url, "lena")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Keyboard only: the next Tab reaches the first link inside the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null") is True


def test_people_filter_live_with_htmx(page: Page, live_server: Any, world: dict[str, Any]) -> None:
    staff = _user("somsak", Role.STAFF)
    _log_in_with_code(page, live_server.url, staff, _enrolled(staff))
    page.goto(f"{live_server.url}/network/people/")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Search").fill("Malee")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr a")).to_have_text("Malee Chaiyo")
    expect(page).to_have_url(re.compile(r"/network/people/\?q=Malee"))
    # The agency choices follow the country, swapped in place.
    page.get_by_label("Country").select_option("TH")
    expect(page.locator("#id_agency option")).to_have_count(2)
    page.get_by_label("Gender").select_option("male")
    expect(page.locator("#results .result-count")).to_have_text("0 people")
    page.get_by_label("Search").fill("")
    expect(page.locator("#results tbody tr a")).to_have_text(["Somchai Prasert"])
    assert page.evaluate("window.notReloaded === true") is True


def test_people_filter_without_javascript(
    browser: Any, live_server: Any, world: dict[str, Any], console: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.on("console", console.on_console)
    _user("malai", Role.FOCAL_POINT, world["th_unit"].country)
    log_in(page, live_server.url, "malai")
    page.goto(f"{live_server.url}/network/people/")
    page.get_by_label("Search").fill("Somchai")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"q=Somchai"))
    expect(page.locator("#results tbody tr a")).to_have_text(["Somchai Prasert"])
    context.close()
    assert console.problems == []


# --- how it looks ------------------------------------------------------------------------------


def test_dashboard_screenshots_wide_and_phone(
    page: Page, live_server: Any, thailand: Any, world: dict[str, Any]
) -> None:
    user = _user("malai", Role.FOCAL_POINT, thailand)
    RoleFactory(user=user, role=Role.LEARNER)
    log_in(page, live_server.url, "malai")
    page.screenshot(path=SHOTS + "/cybercap-dashboard-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    # On a phone the menu is a disclosure, closed until opened.
    menu = page.locator("details.nav-menu")
    expect(menu.get_by_role("link", name="Countries")).to_be_hidden()
    page.screenshot(path=SHOTS + "/cybercap-dashboard-360.png", full_page=True)
    page.get_by_text("Menu", exact=True).click()
    expect(menu.get_by_role("link", name="Countries")).to_be_visible()
    page.screenshot(path=SHOTS + "/cybercap-dashboard-360-menu.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server.url}/network/people/")
    page.screenshot(path=SHOTS + "/cybercap-people-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# --- accessibility -----------------------------------------------------------------------------


checked: list[str] = []


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    # axe ran its rules on this page (it always passes some on a real page).
    assert len(results.response["passes"]) > 10, page.url
    checked.append(page.url)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("width", [1280, 360])
def test_every_page_of_the_shell_passes_axe(
    page: Page,
    live_server: Any,
    thailand: Any,
    world: dict[str, Any],
    width: int,
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    checked.clear()
    found: list[str] = []

    def check(path: str) -> None:
        page.goto(base + path)
        found.extend(_serious(page))

    check("/accounts/login/")
    # Each role's dashboard (no second factor needed for these roles).
    for username, role, country in [
        ("malai", Role.FOCAL_POINT, thailand),
        ("ivan", Role.INVESTIGATOR, thailand),
        ("tara", Role.TRAINER, None),
        ("lena", Role.LEARNER, None),
    ]:
        _user(username, role, country)
        page.context.clear_cookies()
        log_in(page, base, username)
        found.extend(_serious(page))
    # Staff and reviewer log in with their second factor.
    for username, role in [("rita", Role.REVIEWER), ("somsak", Role.STAFF)]:
        user = _user(username, role)
        page.context.clear_cookies()
        _log_in_with_code(page, base, user, _enrolled(user))
        found.extend(_serious(page))
    # Signed in as staff: every page of the shell.
    for path in [
        "/network/countries/",
        "/network/countries/TH/",
        "/network/agencies/",
        f"/network/agencies/{world['th_unit'].pk}/",
        "/network/people/",
        f"/network/people/{world['somchai'].pk}/",
        "/network/topics/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/accounts/users/",
        "/audit/",
        "/no/such/page/",
    ]:
        check(path)
    assert found == []
    assert len(checked) == 19


def test_tab_order_reaches_the_menu_and_filters_in_order(
    page: Page, live_server: Any, thailand: Any, world: dict[str, Any]
) -> None:
    _user("malai", Role.FOCAL_POINT, thailand)
    log_in(page, live_server.url, "malai")
    page.goto(f"{live_server.url}/network/agencies/")
    names: list[str] = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    # The menu's groups come in order: Work first (Dashboard, then the focal point's reviews).
    assert names == ["Skip to main content", "cybercap", "Dashboard", "Reviews"]


def test_a_learner_has_a_short_menu_on_a_phone(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    _user("lena", Role.LEARNER)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "lena")
    menu = page.locator("details.nav-menu")
    expect(menu.get_by_role("link", name="Courses")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(menu.get_by_role("list", name="Learning").get_by_role("link")).to_have_text(
        ["Dashboard", "Activities", "Courses", "Certificates"]
    )
    expect(menu.get_by_role("list", name="Account").get_by_role("link")).to_have_text(["Profile"])
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    # No directory for a learner: the countries are not in their menu.
    expect(menu.get_by_role("link", name="Countries")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    menu.get_by_role("link", name="Courses").click()
    expect(page).to_have_url(f"{live_server.url}/learn/")
    expect(page.locator(".site-nav a[aria-current=page]")).to_have_text("Courses")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_grouped_menu_works_without_javascript(
    browser: Any, live_server: Any, thailand: Any, world: dict[str, Any], console: Any, width: int
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.on("console", console.on_console)
    _user("malai", Role.FOCAL_POINT, thailand)
    log_in(page, live_server.url, "malai")
    menu = page.locator("details.nav-menu")
    people = menu.get_by_role("list", name="Directory").get_by_role("link", name="People")
    if width < 896:
        # A phone: the disclosure opens natively.
        expect(people).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
    # A wide screen: the groups are shown in the sidebar without the script that opens them.
    expect(people).to_be_visible()
    people.click()
    expect(page).to_have_url(f"{live_server.url}/network/people/")
    context.close()
    assert console.problems == []


def test_the_console_watch_catches_a_csp_violation(page: Page, console: Any) -> None:
    """The fixture that guards every browser test really sees a blocked inline script."""
    from django.conf import settings

    page.route(
        "http://csp.invalid/",
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html",
                "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            },
            body="<!doctype html><title>t</title><p style='color:red'>x</p>"
            "<script>document.title = 'ran'</script>",
        ),
    )
    page.goto("http://csp.invalid/")
    expect(page).to_have_title("t")
    kinds = sorted(p.split(" ")[0] for p in console.problems)
    assert kinds == ["CSP:", "CSP:"]
    console.problems.clear()
