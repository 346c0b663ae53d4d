"""Helpers for the accounts tests: real TOTP codes computed from a device's key."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


def totp_code(device: TOTPDevice, *, drift: int = 0) -> str:
    """The code the user's app shows now (``drift`` steps of 30 s later, for a fresh one)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def log_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})
