"""Agencies invite learners to a course: a list of addresses, a signed link each, an account.

- Who may invite: programme staff (any agency of a member country) and focal points (the
  agencies of their own country). Everyone else gets 403 on the pages; another country's
  invitation is a 404.
- The list (pasted, or a CSV/XLSX upload with an ``email`` column) is checked whole before
  anything is sent: every address must be valid, appear once, not belong to an account already
  and not have an open invitation to the course. Any problem refuses the whole list, each named
  by its row; nothing is saved or sent.
- Each invitation is mailed a link that is signed (``django.core.signing``), expires after
  ``LINK_DAYS`` days and names the invitation's nonce: resending makes a new nonce and expiry
  (older links fail), accepting or revoking ends it, so a link is used at most once.
- The invitee sets their name, password and language (the address, country and agency come from
  the invitation and cannot be changed): the account is created and activated by the
  self-registration code (:func:`cybercap.accounts.registration.activate`: learner role, Person
  record) and enrolled in the course.
- Rate limits as in self-registration: acceptances count against the client address's
  registration budget; mails sent (invitations and resends) against the inviter's own budget.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cybercap.accounts import access, registration
from cybercap.accounts.models import Role, User
from cybercap.core import audit
from cybercap.core.tasks import send_email
from cybercap.elearning import services
from cybercap.elearning.models import Course, Invitation
from cybercap.network.models import Agency

SALT = "cybercap.elearning.invitation"
LINK_DAYS = 14
# At most this many addresses per list, and mails per inviter and window (WINDOW, as for
# self-registration).
MAX_ADDRESSES = 500
MAILS_ALLOWED = 500
UPLOAD_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_UPLOAD_BYTES = 1_000_000


class InvitationError(Exception):
    """A request about invitations that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Problem:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ListRefused(InvitationError):
    """The list has problems: nothing was saved or sent."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(_("Nothing was sent: correct the list and send it again."))
        self.problems = problems


# --------------------------------------------------------------------------- scope


def can_invite(user: Any) -> bool:
    return access.has_role(user, Role.STAFF, Role.FOCAL_POINT)


def agencies_for_inviter(*, user: Any) -> QuerySet[Agency]:
    """Agencies of member countries: all for staff, their own country's for focal points."""
    agencies = Agency.objects.filter(country__asean_joined__isnull=False).select_related("country")
    return access.scope_by_country(
        agencies, user, field="country_id", roles_allowed=[Role.FOCAL_POINT]
    ).order_by("country__name", "name")


def invitations_for_user(*, user: Any, course: Course) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(course=course).select_related(
        "agency", "agency__country", "invited_by", "user"
    )
    return access.scope_by_country(
        invitations, user, field="agency__country_id", roles_allowed=[Role.FOCAL_POINT]
    )


def invitation_get_for_user(*, user: Any, course: Course, pk: int) -> Invitation:
    return access.get_or_404(invitations_for_user(user=user, course=course), pk=pk)


# --------------------------------------------------------------------------- reading the list


def rows_from_text(text: str) -> list[tuple[int, str]]:
    """One address per line (commas and semicolons separate too); row = line number."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        for part in line.replace(";", ",").split(","):
            if part.strip():
                rows.append((number, part.strip()))
    return rows


def rows_from_upload(upload: UploadedFile) -> list[tuple[int, str]]:
    """The ``email`` (or ``e-mail``) column of a CSV or XLSX file; row = the sheet's row (the
    heading is row 1). Size, type and content are checked first."""
    from cybercap.activities.importing import TableError, read_table
    from cybercap.activities.services import ActivityError, check_upload

    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise InvitationError(
            _("The file is larger than the limit of %(kb)d KB.") % {"kb": MAX_UPLOAD_BYTES // 1000}
        )
    try:
        name, _type = check_upload(upload, UPLOAD_TYPES)
        table = read_table(upload.read(), name)
    except ActivityError as exc:
        raise InvitationError(str(exc)) from None
    except TableError as exc:
        raise InvitationError(str(exc)) from None
    wanted = {"email", "e-mail", "e mail", "mail", "email address", "e-mail address"}
    column = next(
        (i for i, heading in enumerate(table.headers) if heading.strip().lower() in wanted), None
    )
    if column is None:
        raise InvitationError(
            _("The first row must name the column of addresses “email”; found: %(found)s.")
            % {"found": ", ".join(h for h in table.headers if h) or "-"}
        )
    return [(n, row[column]) for n, row in enumerate(table.rows, start=2)]


def check_list(*, course: Course, rows: list[tuple[int, str]]) -> list[str]:
    """The addresses to invite, lower-cased, or ListRefused naming every problem by row."""
    problems: list[Problem] = []
    if not rows:
        raise InvitationError(_("Give at least one e-mail address."))
    if len(rows) > MAX_ADDRESSES:
        raise InvitationError(
            _("At most %(n)d addresses at a time; this list has %(found)d.")
            % {"n": MAX_ADDRESSES, "found": len(rows)}
        )
    seen: dict[str, int] = {}
    addresses: list[tuple[int, str]] = []
    for row, value in rows:
        address = value.strip().lower()
        if not address:
            problems.append(Problem(row, _("the address is empty.")))
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append(
                Problem(row, _("“%(value)s” is not an e-mail address.") % {"value": value})
            )
            continue
        if len(address) > 150:
            problems.append(Problem(row, _("the address is longer than 150 characters.")))
            continue
        if address in seen:
            problems.append(
                Problem(
                    row,
                    _("%(address)s is already in row %(first)d.")
                    % {"address": address, "first": seen[address]},
                )
            )
            continue
        seen[address] = row
        addresses.append((row, address))
    wanted = [a for _row, a in addresses]
    # Addresses are compared without case (accounts made by staff may keep capitals).
    pairs = list(
        User.objects.annotate(e=Lower("email"), u=Lower("username"))
        .filter(Q(e__in=wanted) | Q(u__in=wanted))
        .values_list("e", "u")
    )
    known = {e for e, _u in pairs} | {u for _e, u in pairs}
    invited = {
        inv.email: inv
        for inv in Invitation.objects.filter(
            course=course, email__in=wanted, accepted_at__isnull=True, revoked_at__isnull=True
        )
    }
    for row, address in addresses:
        if address in known:
            problems.append(
                Problem(
                    row,
                    _(
                        "%(address)s already has an account: they can enrol from the course "
                        "catalogue."
                    )
                    % {"address": address},
                )
            )
        elif address in invited:
            earlier = invited[address]
            problems.append(
                Problem(
                    row,
                    _(
                        "%(address)s was already invited on %(date)s (%(status)s): resend or "
                        "revoke that invitation in the list below."
                    )
                    % {
                        "address": address,
                        "date": timezone.localdate(earlier.created_at).isoformat(),
                        "status": earlier.status_label.lower(),
                    },
                )
            )
    if problems:
        raise ListRefused(sorted(problems, key=lambda p: p.row))
    return wanted


# --------------------------------------------------------------------------- the link


def make_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=False)


def link(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "elearning:invitation_accept", kwargs={"token": make_token(invitation)}
    )


def _mail(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "course": invitation.course,
        "agency": invitation.agency,
        "url": link(invitation),
        "expires": timezone.localdate(invitation.expires_at),
    }
    # The invitee has no language yet: the course's language.
    with translation.override(invitation.course.language or settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("elearning/email/invitation_subject.txt", context).split()
        )
        body = render_to_string("elearning/email/invitation_body.txt", context)
    to = [invitation.email]
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to))


def _rate_check(by: Any, count: int) -> None:
    if registration.rate_limited(by.pk, scope="invite", allowed=MAILS_ALLOWED, adding=count):
        raise InvitationError(
            _("You have sent as many invitations as allowed in an hour (%(n)d): try again later.")
            % {"n": MAILS_ALLOWED}
        )


def _actor(by: Any, ip_address: str | None) -> audit.Actor:
    return audit.Actor(user_id=by.pk, label=str(by)[:150], ip_address=ip_address)


# --------------------------------------------------------------------------- the services


def invitations_send(
    *,
    by: Any,
    course: Course,
    agency: Agency,
    rows: list[tuple[int, str]],
    ip_address: str | None = None,
) -> list[Invitation]:
    """Check the whole list, then create and mail one invitation per address, all or none."""
    if not agencies_for_inviter(user=by).filter(pk=agency.pk).exists():
        raise InvitationError(_("You may invite only for the agencies of your country."))
    with transaction.atomic():
        addresses = check_list(course=course, rows=rows)
        _rate_check(by, len(addresses))
        now = timezone.now()
        created = []
        with audit.acting_as(_actor(by, ip_address)):
            for address in addresses:
                invitation = Invitation(
                    course=course,
                    agency=agency,
                    email=address,
                    invited_by=by,
                    created_at=now,
                    sent_at=now,
                    expires_at=now + dt.timedelta(days=LINK_DAYS),
                    nonce=secrets.token_hex(16),
                )
                try:
                    with transaction.atomic():
                        invitation.save()
                except IntegrityError:  # the same address invited at this moment elsewhere
                    raise ListRefused(
                        [
                            Problem(
                                next(r for r, v in rows if v.strip().lower() == address),
                                _("%(address)s was invited by someone else just now.")
                                % {"address": address},
                            )
                        ]
                    ) from None
                created.append(invitation)
        for invitation in created:
            _mail(invitation)
        registration.rate_count(by.pk, scope="invite", amount=len(created))
    return created


@transaction.atomic
def invitation_resend(*, by: Any, invitation: Invitation, ip_address: str | None = None) -> None:
    """A new link (older ones stop working) with a new expiry, mailed again."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is not None:
        raise InvitationError(_("This invitation was revoked: invite the address again."))
    if locked.accepted_at is not None:
        raise InvitationError(_("This invitation was accepted already."))
    _rate_check(by, 1)
    now = timezone.now()
    locked.nonce = secrets.token_hex(16)
    locked.sent_at = now
    locked.expires_at = now + dt.timedelta(days=LINK_DAYS)
    locked.times_sent += 1
    with audit.acting_as(_actor(by, ip_address)):
        locked.save(update_fields=["nonce", "sent_at", "expires_at", "times_sent"])
    locked.course = invitation.course
    locked.agency = invitation.agency
    _mail(locked)
    registration.rate_count(by.pk, scope="invite")


@transaction.atomic
def invitation_revoke(*, by: Any, invitation: Invitation, ip_address: str | None = None) -> None:
    """The link stops working; an accepted invitation cannot be revoked (the account stays)."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationError(
            _("This invitation was accepted already: the account is managed under Users.")
        )
    if locked.revoked_at is not None:
        return
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    with audit.acting_as(_actor(by, ip_address)):
        locked.save(update_fields=["revoked_at", "revoked_by"])


def resolve(token: str, *, lock: bool = False) -> Invitation:
    """The open invitation a link names, or LinkError saying why it cannot be used."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise _expired() from None
    except signing.BadSignature:
        raise registration.LinkError(
            _("This link is not valid: it may have been cut short when it was copied.")
        ) from None
    if not isinstance(payload, dict) or not {"i", "n"} <= set(payload):
        raise registration.LinkError(_("This link is not valid."))
    invitations = Invitation.objects.select_related("course", "agency", "agency__country")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=payload["i"]).first()
    if invitation is None:
        raise registration.LinkError(_("This invitation no longer exists."))
    if invitation.revoked_at is not None:
        raise registration.LinkError(
            _("This invitation was withdrawn: ask the person who invited you.")
        )
    if invitation.accepted_at is not None:
        raise registration.LinkError(
            _("This invitation has already been used: log in with your e-mail address.")
        )
    if payload["n"] != invitation.nonce:
        raise registration.LinkError(
            _(
                "This link was replaced by a newer one: please use the most recent message "
                "you received."
            )
        )
    if invitation.expires_at <= timezone.now():
        raise _expired()
    return invitation


def _expired() -> registration.LinkError:
    return registration.LinkError(
        _(
            "This invitation has expired (links are valid for %(days)d days): ask the person "
            "who invited you to send it again."
        )
        % {"days": LINK_DAYS}
    )


def invitation_accept(
    *,
    token: str,
    full_name: str,
    language: str,
    password: str,
    ip_address: str | None = None,
) -> registration.Verified:
    """Create the invitee's account from the invitation, activate it as self-registration
    does, enrol it in the course and close the invitation, all in one transaction."""
    with transaction.atomic():
        invitation = resolve(token, lock=True)
        email = invitation.email
        if User.objects.filter(email__iexact=email).exists() or (
            User.objects.filter(username__iexact=email).exists()
        ):
            raise registration.LinkError(
                _(
                    "An account with this e-mail address exists already: log in, then enrol "
                    "from the course catalogue."
                )
            )
        user = registration.account_fill(
            User(username=email),
            full_name=full_name,
            email=email,
            language=language,
            password=password,
        )
        actor = audit.Actor(
            user_id=None, label=f"course invitation: {email}"[:150], ip_address=ip_address
        )
        try:
            with audit.acting_as(actor), transaction.atomic():
                user.save()
        except IntegrityError:  # the same address created at this moment elsewhere
            raise registration.LinkError(
                _("An account with this e-mail address exists already: log in.")
            ) from None
        agency = invitation.agency
        verified = registration.activate(
            user,
            country=agency.country,
            agency=agency,
            ip_address=ip_address,
            label="course invitation",
        )
        services.enrol(user=verified.user, course=invitation.course)
        invitation.accepted_at = timezone.now()
        invitation.user = verified.user
        with audit.acting_as(
            audit.Actor(user_id=user.pk, label=f"course invitation: {email}"[:150])
        ):
            invitation.save(update_fields=["accepted_at", "user"])
    return verified


def invitation_refused(*, ip_address: str | None) -> None:
    """Record a link that could not be used (outside any transaction, so it stays)."""
    from cybercap.core.models import AuditEntry

    AuditEntry.objects.create(
        actor_id=None,
        actor_label="course invitation link",
        action="link_refused",
        model=Invitation._meta.label,
        object_id="",
        object_repr="",
        ip_address=ip_address,
    )
