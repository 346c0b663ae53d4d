"""Writes on accounts: role assignments, deactivation, the profile, two-factor management.

Every service runs in one transaction. The audit log records the model writes through its
signals; the acting user comes from the request middleware, or from ``by`` when a service is
called outside a request (a command, a test).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts import access, otp
from cybercap.accounts.models import COUNTRY_ROLES, ApiToken, Role, RoleAssignment, User
from cybercap.core import audit
from cybercap.core.models import AuditAction, AuditEntry


class AccountsError(Exception):
    """A request the accounts rules refuse; the message is shown to the user as is."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@contextlib.contextmanager
def _acting(by: Any) -> Iterator[None]:
    """Attribute writes to ``by`` unless a request already names the actor."""
    if audit.current_actor() is None and by is not None:
        with audit.acting_as(audit.actor_for_user(by)):
            yield
    else:
        yield


def _record_user_change(
    user: User, changes: dict[str, list[Any]], *, actor: audit.Actor | None = None
) -> None:
    """An audit entry for a change the model signals do not show (two factors, password)."""
    actor = actor or audit.current_actor()
    AuditEntry.objects.create(
        actor_id=actor.user_id if actor else None,
        actor_label=(actor.label if actor else "system")[:150],
        action=AuditAction.UPDATE,
        model=User._meta.label,
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        changes=changes,
        ip_address=actor.ip_address if actor else None,
    )


# --- role assignments ---------------------------------------------------------------------------


def role_assign(*, user: User, role: str, country: Any = None, by: Any) -> RoleAssignment:
    """Give ``user`` the ``role``; focal points and investigators need a country, others none."""
    if role not in Role.values:
        raise AccountsError(_("Choose a role from the list."), field="role")
    if role in COUNTRY_ROLES and country is None:
        raise AccountsError(_("This role is scoped to one country: choose it."), field="country")
    if role not in COUNTRY_ROLES and country is not None:
        raise AccountsError(
            _("This role is not scoped to a country: leave the country empty."), field="country"
        )
    if not user.is_active:
        raise AccountsError(_("Reactivate the account before giving it a role."))
    try:
        with _acting(by), transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user,
                role=role,
                country=country,
                granted_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError as exc:
        if "role_country_scope" in str(exc):
            raise AccountsError(
                _("Focal points and investigators need a country; other roles take none."),
                field="country",
            ) from exc
        raise AccountsError(_("This user already holds that role in that scope.")) from exc
    access.forget_grants(user)
    return assignment


def role_revoke(*, assignment: RoleAssignment, by: Any) -> None:
    """Remove one role assignment. Staff cannot remove their own staff role."""
    if assignment.role == Role.STAFF and assignment.user_id == getattr(by, "pk", None):
        raise AccountsError(
            _("You cannot remove your own staff role; ask another member of staff.")
        )
    with _acting(by), transaction.atomic():
        assignment.delete()
    access.forget_grants(assignment.user)


# --- deactivation -------------------------------------------------------------------------------


def _end_sessions(user: User) -> int:
    """Delete every live session of ``user`` (through the session engine, so caches go too)."""
    from importlib import import_module

    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    ended = 0
    wanted = str(user.pk)
    live = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key")
    for session in live.iterator():
        if str(session.get_decoded().get("_auth_user_id")) == wanted:
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def user_deactivate(*, user: User, by: Any) -> User:
    """Stop the account: no login, no API token, no session. Its history is kept."""
    if getattr(by, "pk", None) == user.pk:
        raise AccountsError(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise AccountsError(_("This account is already deactivated."))
    now = timezone.now()
    with _acting(by), transaction.atomic():
        user.is_active = False
        user.deactivated_at = now
        user.save(update_fields=["is_active", "deactivated_at"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        _end_sessions(user)
    access.forget_grants(user)
    return user


def user_reactivate(*, user: User, by: Any) -> User:
    """Let the account log in again. Revoked API tokens stay revoked."""
    if user.is_active:
        raise AccountsError(_("This account is already active."))
    with _acting(by), transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
    access.forget_grants(user)
    return user


# --- the profile --------------------------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "email", "time_zone", "language")


def profile_update(*, user: User, by: Any = None, **values: Any) -> list[str]:
    """Save the changed profile fields; returns their names (empty when nothing changed)."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"profile_update() got unexpected fields: {sorted(unknown)}")
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if not changed:
        return []
    with _acting(by if by is not None else user), transaction.atomic():
        for name in changed:
            setattr(user, name, values[name])
        user.save(update_fields=changed)
    return changed


def password_changed_record(*, user: User, by_reset: bool) -> None:
    """Note a new password in the audit log (the signals leave the password field out).

    A reset is attributed to the account itself: its owner proved control of the e-mail.
    """
    current = audit.current_actor()
    actor = current if current is not None and current.user_id is not None else None
    if actor is None:
        actor = audit.actor_for_user(user, current.ip_address if current else None)
    with transaction.atomic():
        _record_user_change(
            user,
            {"password": ["[redacted]", "reset by e-mail link" if by_reset else "changed"]},
            actor=actor,
        )


# --- two factors --------------------------------------------------------------------------------


def totp_verify_fresh(*, user: User, token: str) -> bool:
    """Whether ``token`` is a current code from one of the user's authenticator apps."""
    cleaned = token.strip().replace(" ", "")
    if not cleaned.isdigit():
        return False
    return any(
        device.verify_token(cleaned)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def backup_codes_replace(*, user: User, token: str, by: Any = None) -> list[str]:
    """New backup codes in place of the old ones, after a fresh code from the app."""
    if not totp_verify_fresh(user=user, token=token):
        raise AccountsError(
            _("That code is not valid. Type the code your app shows now."), field="token"
        )
    with _acting(by if by is not None else user), transaction.atomic():
        codes = otp.backup_codes_regenerate(user=user)
        _record_user_change(user, {"backup_codes": ["replaced", "new set"]})
    return codes


def two_factor_enabled_record(*, user: User, replaced: bool) -> None:
    """Note in the audit log that an authenticator app was set up or replaced."""
    with transaction.atomic():
        _record_user_change(
            user, {"authenticator": ["replaced" if replaced else "none", "confirmed"]}
        )


def two_factor_disable(*, user: User, token: str, by: Any = None) -> None:
    """Turn two factors off, after a fresh code. Roles that require them may not."""
    if access.needs_two_factor(user):
        raise AccountsError(_("Your role requires two-factor sign-in; it cannot be turned off."))
    if not totp_verify_fresh(user=user, token=token):
        raise AccountsError(
            _("That code is not valid. Type the code your app shows now."), field="token"
        )
    with _acting(by if by is not None else user), transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record_user_change(user, {"two_factor": ["on", "off"]})
