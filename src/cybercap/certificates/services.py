"""Writes: issuing and revoking certificates, the holder's initials-only choice, bulk issue.

Every write is recorded in the audit log (the Certificate model is registered with core.audit),
with the acting user and the reason for a revocation. Issuing is idempotent: asking again for
the same holder, subject (activity or course) and kind returns the valid certificate already
issued; the database's partial unique constraints keep it so when two requests race.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.certificates import codes
from cybercap.certificates.models import Certificate, CertificateKind

# How many fresh codes to try when one is already taken (55 random bits: never in practice).
_CODE_TRIES = 5
MAX_REASON = 500


class CertificateError(Exception):
    """A certificate cannot be issued or revoked as asked; the message says why."""


def _person_of(user: Any) -> Any:
    try:
        return user.person
    except ObjectDoesNotExist:  # a user without a person record
        return None


def holder_name_for(*, holder_user: Any = None, holder_person: Any = None) -> str:
    """The name to print, in its own script: the person record's, else the account's."""
    person = holder_person or (_person_of(holder_user) if holder_user is not None else None)
    if person is not None and person.full_name.strip():
        return str(person.full_name).strip()
    if holder_user is not None:
        return str(holder_user.get_full_name().strip() or holder_user.get_username())
    raise CertificateError(_("A certificate needs a holder."))


def _same_holder(*, holder_user: Any, holder_person: Any) -> Q:
    if holder_person is not None:
        return Q(holder_person=holder_person)
    return Q(holder_user=holder_user) | Q(holder_person__user=holder_user)


def _existing(
    *, holder_user: Any, holder_person: Any, kind: str, activity: Any, course_key: str
) -> Certificate | None:
    subject = Q(activity=activity) if activity is not None else Q(course_key=course_key)
    return (
        Certificate.objects.filter(subject, kind=kind, revoked_at__isnull=True)
        .filter(_same_holder(holder_user=holder_user, holder_person=holder_person))
        .order_by("issued_at", "pk")
        .first()
    )


def _prefers_initials(*, holder_user: Any, holder_person: Any) -> bool:
    """The holder's choice, as set on their certificates page (kept on each certificate)."""
    holders = Q(holder_person=holder_person) if holder_person is not None else Q(pk__in=[])
    if holder_user is not None:
        holders |= Q(holder_user=holder_user) | Q(holder_person__user=holder_user)
    latest = Certificate.objects.filter(holders).order_by("-issued_at", "-pk").first()
    return bool(latest and latest.show_initials_only)


def issue_certificate(
    *,
    holder_user: Any = None,
    holder_person: Any = None,
    kind: str,
    title: str,
    starts: dt.date,
    ends: dt.date,
    activity: Any = None,
    course_key: str = "",
    language: str = "en",
    issued_by: Any = None,
) -> Certificate:
    """Issue a certificate, or return the valid one this holder already has for it."""
    if holder_user is None and holder_person is None:
        raise CertificateError(_("A certificate needs a holder."))
    if kind not in CertificateKind.values:
        raise CertificateError(_("Unknown kind of certificate: %(kind)s.") % {"kind": kind})
    if (activity is None) == (not course_key):
        raise CertificateError(_("A certificate is for one activity or one course."))
    title = title.strip()
    if not title:
        raise CertificateError(_("A certificate needs a title."))
    if ends < starts:
        raise CertificateError(_("The last day comes before the first."))
    if holder_user is None and holder_person is not None and holder_person.user_id:
        holder_user = holder_person.user
    lookup = {
        "holder_user": holder_user,
        "holder_person": holder_person,
        "kind": kind,
        "activity": activity,
        "course_key": course_key,
    }
    with transaction.atomic():
        found = _existing(**lookup)
        if found is not None:
            return found
        fields = {
            "kind": kind,
            "title": title[:200],
            "starts": starts,
            "ends": ends,
            "activity": activity,
            "course_key": course_key,
            "holder_user": holder_user,
            "holder_person": holder_person,
            "holder_name": holder_name_for(holder_user=holder_user, holder_person=holder_person)[
                :200
            ],
            "language": (language or "en")[:10],
            "issued_at": timezone.now(),
            "issued_by": issued_by,
            "show_initials_only": _prefers_initials(
                holder_user=holder_user, holder_person=holder_person
            ),
        }
        for _attempt in range(_CODE_TRIES):
            try:
                with transaction.atomic():
                    return Certificate.objects.create(code=codes.generate(), **fields)
            except IntegrityError:
                # Another request issued the same certificate meanwhile, or (never in
                # practice) the code was taken: return theirs, or try a fresh code.
                found = _existing(**lookup)
                if found is not None:
                    return found
    raise CertificateError(_("No free verification code was found; try again."))


def revoke_certificate(cert: Certificate, *, reason: str, by: Any) -> None:
    """Revoke a certificate; the reason is kept (and audited) but never shown publicly."""
    reason = " ".join(reason.split())
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate."))
    if len(reason) > MAX_REASON:
        raise CertificateError(_("Keep the reason under %(n)d characters.") % {"n": MAX_REASON + 1})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=cert.pk)
        if locked.revoked_at is not None:
            raise CertificateError(_("This certificate is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    cert.revoked_at = locked.revoked_at
    cert.revoked_by = locked.revoked_by
    cert.revoke_reason = locked.revoke_reason


def holder_initials_set(*, certificates: QuerySet[Certificate], initials_only: bool) -> int:
    """Apply the holder's choice to their certificates (the selector scoped them); returns
    how many changed. Each change is saved on its own, so the audit log records it."""
    changed = 0
    with transaction.atomic():
        for cert in certificates.select_for_update().exclude(show_initials_only=initials_only):
            cert.show_initials_only = initials_only
            cert.save(update_fields=["show_initials_only"])
            changed += 1
    return changed


def activity_attendance_issue(
    *, activity: Any, rows: list[Any], by: Any, language: str = "en"
) -> list[Certificate]:
    """Issue attendance certificates to the eligible rows (see selectors.attendance_rows) that
    have none yet; returns the certificates issued now. All or nothing."""
    issued: list[Certificate] = []
    with transaction.atomic():
        for row in rows:
            if not row.eligible or row.certificate is not None:
                continue
            person = row.registration.person
            user = person.user if person.user_id else None
            cert = issue_certificate(
                holder_person=person,
                holder_user=user,
                kind=CertificateKind.ATTENDANCE,
                title=activity.title,
                starts=activity.start_date,
                ends=activity.end_date,
                activity=activity,
                language=(getattr(user, "language", "") or language) if user else language,
                issued_by=by,
            )
            issued.append(cert)
    return issued
