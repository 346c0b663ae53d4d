"""Two factors: TOTP devices and backup codes, as services over django-otp."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
# Set at log-in when the account has an authenticator, whatever its roles: the session must
# then be verified with a second factor.
TWO_FACTOR_SESSION_KEY = "cybercap_two_factor"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_backup_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def totp_device_create(
    *, user: Any, confirmed: bool = False, name: str = "Authenticator app"
) -> TOTPDevice:
    """A new TOTP device; unconfirmed ones from earlier attempts are removed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    token = token.strip().replace(" ", "")
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def backup_codes_regenerate(*, user: Any) -> list[str]:
    """Replaces the user's backup codes with new ones and returns them (shown once)."""
    codes = [new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="backup", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code.replace("-", "")) for code in codes
        )
    return codes


def otpauth_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def verify_any(*, user: Any, token: str) -> Any | None:
    """The device that accepts ``token`` (a TOTP code or a backup code), or None."""
    cleaned = token.strip().replace(" ", "").replace("-", "").lower()
    if not cleaned:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if cleaned.isdigit() and device.verify_token(cleaned):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(cleaned):
            return device
    return None


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owes_second_factor(request: Any) -> bool:
    """True while a signed-in session still has to give its second factor: always for roles
    that require two factors, and for anyone who turned them on."""
    from cybercap.accounts import access

    user = request.user
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    return access.needs_two_factor(user) or bool(request.session.get(TWO_FACTOR_SESSION_KEY))
