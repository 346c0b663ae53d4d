"""Signed confirmation links: an approved participant confirms or declines, with no log-in.

The link carries ``django.core.signing`` data bound to the registration, to the status it was
sent for (approved) and to the moment it was sent (``Registration.confirmation_sent_at``):

- it expires after ``LINK_DAYS`` days (the signature's timestamp);
- sending a new link makes every older one fail ("replaced by a newer link");
- once the participant has answered, the same link shows the answer and lets them request a
  visa support letter and create an account, but cannot answer again; a registration whose
  status staff changed since (declined, wait-listed) makes the link fail and says why.

Every step is in the audit log: the model writes through its signals (the actor named as the
participant's link), and the events that write nothing (link opened, refused, letter made) as
entries of their own. Passport details never reach the log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.activities.models import Activity, Registration, RegistrationStatus
from cybercap.core import audit
from cybercap.core.models import AuditEntry
from cybercap.core.tasks import send_email

SALT = "cybercap.activities.confirmation"
LINK_DAYS = 30


class LinkError(Exception):
    """A link that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class LinkState:
    registration: Registration
    answered: bool  # the participant already answered through this link


# --- the token ----------------------------------------------------------------------------------


def _stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def make_token(registration: Registration) -> str:
    assert registration.confirmation_sent_at is not None
    payload = {
        "r": registration.pk,
        "s": registration.status,
        "t": _stamp(registration.confirmation_sent_at),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def link_actor(registration: Registration, ip_address: str | None = None) -> audit.Actor:
    """Anonymous writes through a link are recorded as the participant's, via the link."""
    user_id = registration.person.user_id
    label = f"confirmation link: {registration.person.full_name}"[:150]
    return audit.Actor(user_id=user_id, label=label, ip_address=ip_address)


def record(
    registration: Registration, action: str, *, actor: audit.Actor | None, **changes: Any
) -> None:
    """An audit entry for a step that writes nothing else (opened, refused, letter made)."""
    actor = actor or audit.current_actor()
    AuditEntry.objects.create(
        actor_id=actor.user_id if actor else None,
        actor_label=(actor.label if actor else "system")[:150],
        action=action[:20],
        model=Registration._meta.label,
        object_id=str(registration.pk),
        object_repr=str(registration)[:200],
        changes={key: [None, value] for key, value in changes.items()},
        ip_address=actor.ip_address if actor else None,
    )


def resolve(
    token: str, *, ip_address: str | None = None, now: dt.datetime | None = None
) -> LinkState:
    """The registration a link is for, or LinkError saying clearly why it cannot be used."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkError(
            _(
                "This link has expired (links are valid for %(days)d days). Ask the programme "
                "team or your national focal point to send you a new one."
            )
            % {"days": LINK_DAYS}
        ) from None
    except signing.BadSignature:
        raise LinkError(
            _("This link is not valid: it may have been cut short when it was copied.")
        ) from None
    if not isinstance(payload, dict) or not {"r", "s", "t"} <= set(payload):
        raise LinkError(_("This link is not valid."))
    registration = (
        Registration.objects.select_related(
            "activity", "activity__host_country", "person", "person__agency", "country"
        )
        .filter(pk=payload["r"])
        .first()
    )
    if registration is None:
        raise LinkError(_("This registration no longer exists."))
    actor = link_actor(registration, ip_address)
    sent = registration.confirmation_sent_at
    if sent is None or _stamp(sent) != payload["t"]:
        record(registration, "link_refused", actor=actor, reason="replaced")
        raise LinkError(
            _(
                "This link was replaced by a newer one: please use the most recent message "
                "you received."
            )
        )
    status = registration.status
    answered = registration.responded_at is not None and registration.responded_at >= sent
    if status == payload["s"] and status == RegistrationStatus.APPROVED and not answered:
        return LinkState(registration, answered=False)
    if answered and status == RegistrationStatus.CONFIRMED:
        return LinkState(registration, answered=True)
    record(registration, "link_refused", actor=actor, reason=f"status {status}")
    if answered and status == RegistrationStatus.DECLINED:
        raise LinkError(
            _(
                "You declined this invitation on %(date)s; the link cannot be used again. If "
                "you can attend after all, contact your national focal point."
            )
            % {"date": timezone.localtime(registration.responded_at).strftime("%Y-%m-%d")}
        )
    if status == RegistrationStatus.ATTENDED:
        raise LinkError(_("This activity has taken place: the confirmation link is closed."))
    raise LinkError(
        _(
            "Your registration is now “%(status)s”, so this link no longer applies. The "
            "programme team will contact you if anything changes."
        )
        % {"status": RegistrationStatus(status).label}
    )


# --- the services -------------------------------------------------------------------------------


def link_send(*, registration: Registration, url_for: Any, by: Any) -> str:
    """Make a new link (older ones stop working) and e-mail it; returns the link's URL.

    ``url_for(token)`` turns a token into the absolute URL the e-mail carries.
    """
    if registration.status != RegistrationStatus.APPROVED:
        raise LinkError(
            _("Only approved participants get a confirmation link; %(name)s is “%(status)s”.")
            % {
                "name": registration.person.full_name,
                "status": RegistrationStatus(registration.status).label,
            }
        )
    email = registration.person.email
    if not email:
        raise LinkError(
            _("%(name)s has no e-mail address: add one to their record first.")
            % {"name": registration.person.full_name}
        )
    with transaction.atomic():
        registration.confirmation_sent_at = timezone.now()
        registration.save(update_fields=["confirmation_sent_at"])
        url = str(url_for(make_token(registration)))
        activity = registration.activity
        expires = timezone.localdate() + dt.timedelta(days=LINK_DAYS)
        context = {
            "registration": registration,
            "activity": activity,
            "person": registration.person,
            "url": url,
            "expires": expires,
        }
        language = getattr(registration.person.user, "language", "") or translation.get_language()
        with translation.override(language):
            subject = " ".join(
                render_to_string("activities/email/confirmation_subject.txt", context).split()
            )
            body = render_to_string("activities/email/confirmation_body.txt", context)
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[email]))
        record(
            registration,
            "link_sent",
            actor=audit.current_actor() or audit.actor_for_user(by),
            to=email,
            expires=expires.isoformat(),
        )
    return url


@transaction.atomic
def link_respond(*, state: LinkState, attend: bool, actor: audit.Actor) -> Registration:
    """The participant confirms (approved → confirmed) or declines (approved → declined)."""
    if state.answered:
        raise LinkError(_("You have already answered through this link."))
    Activity.objects.select_for_update().get(pk=state.registration.activity_id)
    registration = Registration.objects.select_for_update().get(pk=state.registration.pk)
    if registration.status != RegistrationStatus.APPROVED:
        raise LinkError(_("Your registration changed in the meantime; reload the page."))
    registration.status = RegistrationStatus.CONFIRMED if attend else RegistrationStatus.DECLINED
    registration.responded_at = timezone.now()
    with audit.acting_as(actor):
        registration.save(update_fields=["status", "responded_at"])
    state.registration.status = registration.status
    state.registration.responded_at = registration.responded_at
    if not attend:
        # The seat freed goes to the longest-waiting person of the country, as when staff decline.
        from cybercap.activities.services import _promote_wait_listed

        with audit.acting_as(actor):
            _promote_wait_listed(registration.activity, registration.country_id, None)
    return registration


def visa_request_record(*, registration: Registration, actor: audit.Actor, on_behalf: bool) -> None:
    """Note that a visa letter was asked for (the first time) and who made one, each time."""
    if registration.visa_letter_requested_at is None:
        registration.visa_letter_requested_at = timezone.now()
        with audit.acting_as(actor):
            registration.save(update_fields=["visa_letter_requested_at"])
    record(registration, "visa_letter", actor=actor, on_behalf=on_behalf)


def account_available(registration: Registration) -> bool:
    person = registration.person
    if person.user_id is not None or not person.email:
        return False
    email = person.email.strip().lower()
    return not User.objects.filter(username__iexact=email).exists() and not (
        User.objects.filter(email__iexact=email).exists()
    )


@transaction.atomic
def account_create(*, state: LinkState, password: str, actor: audit.Actor) -> User:
    """A learner account for the participant: user name = e-mail, linked to their Person."""
    registration = state.registration
    person = registration.person
    if not account_available(registration):
        raise LinkError(
            _(
                "An account already exists for this e-mail address: log in with it, or reset "
                "its password from the log-in page."
            )
        )
    email = person.email.strip().lower()
    user = User(
        username=email,
        email=email,
        first_name=(person.latin_name or person.full_name)[:150],
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise LinkError(" ".join(exc.messages)) from None
    user.set_password(password)
    with audit.acting_as(actor):
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.LEARNER)
        person.user = user
        person.save(update_fields=["user"])
    return user
