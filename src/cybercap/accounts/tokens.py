"""Personal API tokens: created and shown once, stored as a SHA-256, revocable, expiring.

A token reads ``cc_<prefix>_<secret>``. The prefix is stored in clear so that a token can be
found, listed and revoked by it; the database holds only the SHA-256 of the whole token, so a
copy of the database does not hand out working tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.accounts import access
from cybercap.accounts.models import ApiToken
from cybercap.core import audit

TOKEN_SCHEME = "cc"  # noqa: S105 - the tokens' public marker, not a secret
PREFIX_LENGTH = 8
MAX_DAYS = 366
# last_used_at is written at most this often per token: one write a minute, not one a request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

_PREFIX_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"
_TOKEN_RE = re.compile(r"^cc_([a-z2-9]{8})_([A-Za-z0-9_-]{43})$")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def _new_prefix() -> str:
    return "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def token_create(
    *, user: Any, name: str, expires_in_days: int | None = None, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plaintext, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, so that you can recognise it later."))
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            _("A token expires after 1 to %(max)d days.") % {"max": MAX_DAYS}, code="days"
        )
    if not user.is_active or user.deactivated_at is not None:
        raise ValidationError(_("A deactivated account cannot hold API tokens."), code="inactive")
    moment = now or timezone.now()
    for _attempt in range(5):
        prefix = _new_prefix()
        raw = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name[:100],
                    prefix=prefix,
                    token_hash=_digest(raw),
                    created_at=moment,
                    expires_at=moment + dt.timedelta(days=days),
                )
        except IntegrityError:  # a prefix collision: draw again
            continue
        return token, raw
    raise RuntimeError("could not draw a unique token prefix")  # pragma: no cover


def token_revoke(*, token: ApiToken, by: Any | None, now: dt.datetime | None = None) -> ApiToken:
    """Revoke a token. Its owner and programme staff may; ``by=None`` is the server operator.

    Revoking a revoked token keeps the first revocation time.
    """
    if by is not None and by.pk != token.user_id and not access.is_staff(by):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_for_user(*, user: Any) -> Any:
    """The user's own tokens, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def token_get_for_user(*, user: Any, prefix: str) -> ApiToken:
    """One of the user's own tokens by its prefix; another user's token is not found."""
    return access.get_or_404(tokens_for_user(user=user), prefix=prefix)


def token_get_by_prefix(*, prefix: str) -> ApiToken | None:
    """Any user's token by its prefix: for the server operator's command line only."""
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()


def token_authenticate(raw: str, *, now: dt.datetime | None = None) -> Any | None:
    """The active user a token belongs to, or None for a malformed, unknown, revoked or
    expired token or a deactivated user."""
    match = _TOKEN_RE.match(raw or "")
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
    if token is None:
        # Compare anyway, so that an unknown prefix costs the same as a wrong secret.
        hmac.compare_digest(_digest(raw), "0" * 64)
        return None
    if not hmac.compare_digest(_digest(raw), token.token_hash):
        return None
    moment = now or timezone.now()
    if not token.is_usable(moment):
        return None
    user = token.user
    if not user.is_active or user.deactivated_at is not None:
        return None
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = moment
        # The request reached us anonymously; this write is the token owner's.
        current = audit.current_actor()
        ip_address = current.ip_address if current is not None else None
        with audit.acting_as(audit.actor_for_user(user, ip_address)):
            token.save(update_fields=["last_used_at"])
    return user
