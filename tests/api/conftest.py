"""Fixtures for the API: tokens for personas, and clients that send them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import User
from cybercap.accounts.tokens import token_create


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token_for(make_user: Callable[..., User]) -> Callable[..., str]:
    """A plaintext token for a new user holding ``role`` (in ``country``)."""

    def make(role: str | None = None, country: Any = None, **kwargs: Any) -> str:
        user = make_user(role, country, **kwargs)
        _token, raw = token_create(user=user, name="test")
        return raw

    return make


@pytest.fixture
def api_client_for(token_for: Callable[..., str]) -> Callable[..., Client]:
    """A test client that sends a fresh token for a new user with ``role``."""

    def make(role: str | None = None, country: Any = None, **kwargs: Any) -> Client:
        return Client(headers=bearer(token_for(role, country, **kwargs)))

    return make
