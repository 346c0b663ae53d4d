"""Self-registration of learners: an inactive account, then a signed e-mail link activates it.

- ``register`` creates an INACTIVE user (user name = e-mail, the chosen language) and e-mails a
  verification link. The link is ``django.core.signing`` data naming the user, the country and
  agency chosen, and a fingerprint of the account's password hash: it expires after
  ``LINK_DAYS`` days, and registering again with the same address (before verifying) replaces
  the account's details and makes every older link fail.
- An address that already belongs to an account gets the same neutral answer on the page; its
  holder is sent a "you already have an account" message instead of a link.
- ``verify`` activates the account, gives it the learner role (learners are scoped to
  themselves: a learner role takes no country, see ``accounts.models.COUNTRY_ROLES``; their
  country is their Person's), links their unlinked Person record of the same country and
  address, or creates one with their agency.

Every write is in the audit log through the model signals, with the actor named as the
registration; the events that write nothing (duplicate address, link refused) as entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.core import audit
from cybercap.core.models import AuditEntry
from cybercap.core.tasks import send_email
from cybercap.network.models import Agency, Country, Person

SALT = "cybercap.accounts.registration"
LINK_DAYS = 3
# Registration attempts (each sends an e-mail) allowed per client address and window.
WINDOW = 3600
ATTEMPTS_ALLOWED = 10


class LinkError(Exception):
    """A verification link that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Verified:
    user: User
    person: Person


# --- rate limit ---------------------------------------------------------------------------------


def _rate_key(key: str | int | None, scope: str) -> str:
    return f"accounts:{scope}:{key or 'unknown'}"


def rate_limited(
    key: str | int | None,
    *,
    scope: str = "register",
    allowed: int = ATTEMPTS_ALLOWED,
    adding: int = 1,
) -> bool:
    """True when ``adding`` more events would pass ``allowed`` in the window (the key is the
    client address for registration; other callers name their own scope and key)."""
    return int(cache.get(_rate_key(key, scope), 0)) + adding > allowed


def rate_count(key: str | int | None, *, scope: str = "register", amount: int = 1) -> None:
    cache_key = _rate_key(key, scope)
    cache.add(cache_key, 0, WINDOW)  # starts the window only if none is running
    try:
        cache.incr(cache_key, amount)
    except ValueError:  # the window ended between add() and incr()
        cache.set(cache_key, amount, WINDOW)


# --- the token ----------------------------------------------------------------------------------


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, f"{user.pk}|{user.password}|{user.email}").hexdigest()[:20]


def make_token(user: User, *, country: Country, agency: Agency) -> str:
    payload = {"u": user.pk, "c": country.code, "a": agency.pk, "f": _fingerprint(user)}
    return signing.dumps(payload, salt=SALT, compress=False)


def _record(action: str, *, user: User | None, label: str, ip_address: str | None) -> None:
    AuditEntry.objects.create(
        actor_id=None,
        actor_label=label[:150],
        action=action[:20],
        model=User._meta.label,
        object_id=str(user.pk) if user else "",
        object_repr=str(user or "")[:200],
        ip_address=ip_address,
    )


def _pending(user: User) -> bool:
    """Registered and never verified: inactive, never logged in, not deactivated by staff."""
    return not user.is_active and user.last_login is None and user.deactivated_at is None


# --- the services -------------------------------------------------------------------------------


def _mail(user: User, kind: str, context: dict[str, Any]) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"accounts/email/register_{kind}_subject.txt", context).split()
        )
        body = render_to_string(f"accounts/email/register_{kind}_body.txt", context)
    to = [user.email]
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to))


def account_fill(user: User, *, full_name: str, email: str, language: str, password: str) -> User:
    """Set a pending learner account's details (not saved): inactive until activated."""
    user.email = email.strip().lower()
    user.first_name = full_name.strip()[:150]
    user.last_name = ""
    user.language = language
    user.is_active = False
    user.set_password(password)
    return user


@transaction.atomic
def register(
    *,
    full_name: str,
    email: str,
    country: Country,
    agency: Agency,
    language: str,
    password: str,
    ip_address: str | None = None,
) -> None:
    """Create the inactive account and mail the link; an address in use gets a notice instead.

    The caller has validated the input (the agency is of the country, the password passes the
    validators). Nothing returned tells whether the address was already in use.
    """
    email = email.strip().lower()
    actor = audit.Actor(
        user_id=None, label=f"self-registration: {email}"[:150], ip_address=ip_address
    )
    existing = User.objects.filter(username__iexact=email).first() or (
        User.objects.filter(email__iexact=email).first()
    )
    if existing is not None and not _pending(existing):
        _record("register_known", user=existing, label=actor.label, ip_address=ip_address)
        _mail(
            existing,
            "known",
            {
                "user": existing,
                "login_url": settings.SITE_URL + reverse("accounts:login"),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            },
        )
        return
    user = account_fill(
        existing or User(username=email),
        full_name=full_name,
        email=email,
        language=language,
        password=password,
    )
    try:
        with audit.acting_as(actor), transaction.atomic():
            user.save()
    except IntegrityError:  # the same address registered at the same moment in another request
        _record("register_race", user=None, label=actor.label, ip_address=ip_address)
        return
    expires = timezone.localdate() + dt.timedelta(days=LINK_DAYS)
    token = make_token(user, country=country, agency=agency)
    url = settings.SITE_URL + reverse("accounts:register_verify", kwargs={"token": token})
    _mail(user, "verify", {"user": user, "url": url, "expires": expires, "days": LINK_DAYS})


def _link_error_expired() -> LinkError:
    return LinkError(
        _(
            "This link has expired (links are valid for %(days)d days). Register again with the "
            "same e-mail address to get a new one."
        )
        % {"days": LINK_DAYS}
    )


def resolve(token: str) -> tuple[User, Country, Agency]:
    """The pending account a link is for, or LinkError saying clearly why it cannot be used."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise _link_error_expired() from None
    except signing.BadSignature:
        raise LinkError(
            _("This link is not valid: it may have been cut short when it was copied.")
        ) from None
    if not isinstance(payload, dict) or not {"u", "c", "a", "f"} <= set(payload):
        raise LinkError(_("This link is not valid."))
    user = User.objects.filter(pk=payload["u"]).first()
    if user is None:
        raise LinkError(_("This account no longer exists: register again."))
    if not _pending(user):
        if user.is_active:
            raise LinkError(_("This link has already been used: log in with your e-mail address."))
        raise LinkError(_("This account has been deactivated: contact the programme team."))
    if payload["f"] != _fingerprint(user):
        raise LinkError(
            _(
                "This link was replaced by a newer one: please use the most recent message "
                "you received."
            )
        )
    agency = (
        Agency.objects.select_related("country")
        .filter(pk=payload["a"], country__code=payload["c"], country__asean_joined__isnull=False)
        .first()
    )
    if agency is None:
        raise LinkError(_("The agency you chose is no longer in the list: register again."))
    return user, agency.country, agency


def verify(*, token: str, ip_address: str | None = None) -> Verified:
    """Activate the account of a valid link: learner role, Person record, active."""
    try:
        user, country, agency = resolve(token)
    except LinkError:
        # Outside the transaction below, so that the refusal stays on record.
        _record("link_refused", user=None, label="registration link", ip_address=ip_address)
        raise
    with transaction.atomic():
        return activate(user, country=country, agency=agency, ip_address=ip_address)


def activate(
    user: User,
    *,
    country: Country,
    agency: Agency,
    ip_address: str | None,
    label: str = "registration link",
) -> Verified:
    """Activate a pending account (in the caller's transaction): active, the learner role, and
    their Person record (an unlinked one of the same country and address, or a new one).
    Used by the registration link and by agency invitations (``elearning.invitations``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not _pending(user):  # verified in another request meanwhile
        raise LinkError(_("This link has already been used: log in with your e-mail address."))
    actor = audit.Actor(
        user_id=user.pk, label=f"{label}: {user.email}"[:150], ip_address=ip_address
    )
    with audit.acting_as(actor):
        user.is_active = True
        user.save(update_fields=["is_active"])
        RoleAssignment.objects.get_or_create(
            user=user, role=Role.LEARNER, country=None, defaults={"granted_by": None}
        )
        person = (
            Person.objects.select_for_update()
            .filter(user__isnull=True, email__iexact=user.email, country=country)
            .order_by("pk")
            .first()
        )
        if person is None:
            person = Person.objects.create(
                full_name=user.first_name,
                country=country,
                agency=agency,
                email=user.email,
                user=user,
            )
        else:
            person.user = user
            fields = ["user"]
            if person.agency_id is None:
                person.agency = agency
                fields.append("agency")
            person.save(update_fields=fields)
    return Verified(user=user, person=person)
