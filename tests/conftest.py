"""Shared fixtures: three kinds of persona per role, and clients logged in as them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from cybercap.accounts.models import TWO_FACTOR_ROLES, User
from tests.factories import CountryFactory, RoleFactory, UserFactory, confirmed_totp

# The browser fixtures (one Playwright, one Chromium, one live server for the whole run),
# shared by tests/e2e/ and the apps' browser tests.
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _fast_and_clean(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # One test process, so its memory cache is coherent: sessions cached as with Redis in
    # production, which the query-count tests assume.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    cache.clear()


@pytest.fixture
def thailand(db: Any) -> Any:
    return CountryFactory(code="TH", name="Thailand", time_zone="Asia/Bangkok")


@pytest.fixture
def vietnam(db: Any) -> Any:
    return CountryFactory(code="VN", name="Viet Nam", time_zone="Asia/Ho_Chi_Minh")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str | None = None, country: Any = None, **kwargs: Any) -> User:
        user = UserFactory(**kwargs)
        if role is not None:
            RoleFactory(user=user, role=role, country=country)
        return user

    return make


def login(client: Client, user: User) -> Client:
    """Log in through the session, with a verified second factor for roles that need one."""
    client.force_login(user)
    roles = set(user.role_assignments.values_list("role", flat=True))
    if roles & TWO_FACTOR_ROLES:
        device = confirmed_totp(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str | None = None, country: Any = None, **kwargs: Any) -> Client:
        return login(Client(), make_user(role, country, **kwargs))

    return make


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # WhiteNoise warns when the collected-static directory is missing; tests use the finders.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    _compile_messages(settings.LOCALE_PATHS)


def _compile_messages(paths: Any) -> None:
    """Compile each stale gettext catalogue (as `make install` does) so that a bare `pytest`
    on a fresh clone sees the translations; msgfmt is Debian's gettext (system-packages.txt)."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    msgfmt = shutil.which("msgfmt")
    for folder in paths:
        for po in Path(folder).glob("*/LC_MESSAGES/django.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            if msgfmt is None:
                raise RuntimeError("msgfmt is missing: install gettext (make system-packages)")
            tmp = mo.with_name(f"django.mo.{os.getpid()}")
            subprocess.run([msgfmt, "--check-format", "-o", str(tmp), str(po)], check=True)
            tmp.replace(mo)
