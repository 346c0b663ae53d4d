"""Browser fixtures, a pytest plugin loaded by tests/conftest.py: Debian's Chromium through
Playwright, with the page's CSP enforced.

Playwright's sync API runs an event loop in this thread, so Django's guard against database
access from async code has to be lifted for the test thread (the live server runs in its own).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
# Seconds a step may take; raise it on a loaded machine (CYBERCAP_BROWSER_TIMEOUT=60).
TIMEOUT_MS = int(float(os.environ.get("CYBERCAP_BROWSER_TIMEOUT", "10")) * 1000)
# A console error that only reports the HTTP status of the page itself (a 403, 404 or 410 page).
_HTTP_STATUS = re.compile(
    r"^Failed to load resource: the server responded with a status of 4(0[34]|10)"
)


@dataclass
class ConsoleLog:
    """What the page said: CSP violations and script errors fail the test."""

    problems: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(f"CSP: {text}")
        elif message.type == "error":
            source = message.location.get("url", "")
            page_url = message.page.url if message.page is not None else None
            if _HTTP_STATUS.match(text) and source == page_url:
                return
            self.problems.append(f"console error: {text} ({source})")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"page error: {error}")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, console: ConsoleLog) -> Iterator[Page]:
    """A fresh browser context per test (never bypass_csp); fails on CSP violations."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()
    assert console.problems == [], "\n".join(console.problems)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, over plain HTTP on localhost.

    The security middleware reads its settings when the server builds its handler, before any
    function-scoped `settings` fixture runs, so the plain-HTTP settings are set here first.
    """
    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        WHITENOISE_USE_FINDERS=True,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    plain_http.enable()
    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    yield server
    server.stop()
    plain_http.disable()


def current_code(device: TOTPDevice, *, drift: int = 0) -> str:
    """The device's code now (drift=1: the next 30-second window, within its tolerance)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return str(code).zfill(device.digits)


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
