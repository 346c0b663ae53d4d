"""Reads of certificates, scoped by the user who asks.

- Holders see their own certificates (issued to their account, or to their person record).
- Staff see every certificate.
- For activity certificates, the activity's assigned trainers and the focal points of the
  holder's country may also open the PDF. Course certificates are the holder's and staff's only.
- Anyone may verify a code: the public read returns only what the public page shows.
Anything outside that scope is a 404.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.activities.models import Activity, Registration, TrainerAssignment
from cybercap.activities.selectors import expected_participants
from cybercap.certificates import codes
from cybercap.certificates.models import Certificate, CertificateKind

# The fields the public verification page and API may read: nothing else is even loaded.
PUBLIC_FIELDS = ("code", "holder_name", "title", "starts", "ends", "revoked_at")
PUBLIC_LOAD = (*PUBLIC_FIELDS, "show_initials_only")


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _own(user: Any) -> Q:
    return Q(holder_user_id=user.pk) | Q(holder_person__user_id=user.pk)


def certificates_of_holder(*, user: Any) -> QuerySet[Certificate]:
    """The signed-in user's own certificates, newest first."""
    if not _signed_in(user):
        return Certificate.objects.none()
    return Certificate.objects.filter(_own(user)).order_by("-issued_at", "-pk")


def certificates_for_user(*, user: Any) -> QuerySet[Certificate]:
    """Every certificate the user may open (the PDF): see the module's docstring."""
    if not _signed_in(user):
        return Certificate.objects.none()
    if access.is_staff(user):
        return Certificate.objects.all()
    reach = _own(user)
    if access.has_role(user, Role.TRAINER):
        reach |= Q(
            activity_id__in=TrainerAssignment.objects.filter(user_id=user.pk).values("activity_id")
        )
    focal = access.countries(user, Role.FOCAL_POINT)
    if focal:
        reach |= Q(activity__isnull=False) & (
            Q(holder_person__country_id__in=focal)
            | Q(holder_person__isnull=True, holder_user__person__country_id__in=focal)
        )
    return Certificate.objects.filter(reach)


def certificate_get_for_user(*, user: Any, code: str) -> Certificate:
    return access.get_or_404(
        certificates_for_user(user=user).select_related("activity", "holder_person"), code=code
    )


def certificate_public(*, code: str) -> Certificate | None:
    """The certificate with this canonical code, with only its public fields loaded."""
    return Certificate.objects.only(*PUBLIC_LOAD).filter(code=code).first()


def certificates_search(
    *, user: Any, query: str = "", kind: str = "", status: str = ""
) -> QuerySet[Certificate]:
    """Staff's list: search by code, holder's name or e-mail, or title; filter by kind and
    status (valid, revoked). Others get nothing."""
    if not access.is_staff(user):
        return Certificate.objects.none()
    queryset = Certificate.objects.all()
    query = query.strip()
    if query:
        match = (
            Q(holder_name__icontains=query)
            | Q(title__icontains=query)
            | Q(holder_person__email__iexact=query)
            | Q(holder_user__email__iexact=query)
            | Q(code__icontains=query.upper())
        )
        with contextlib.suppress(codes.InvalidCode):
            match |= Q(code=codes.normalise(query))
        queryset = queryset.filter(match)
    if kind in CertificateKind.values:
        queryset = queryset.filter(kind=kind)
    if status == "valid":
        queryset = queryset.filter(revoked_at__isnull=True)
    elif status == "revoked":
        queryset = queryset.filter(revoked_at__isnull=False)
    return queryset.order_by("-issued_at", "-pk")


# --------------------------------------------------------------------------- activities


@dataclass
class AttendanceRow:
    registration: Registration
    attended: int
    sessions: int
    certificate: Certificate | None
    eligible: bool

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.sessions) if self.sessions else 0


def attendance_rows(*, activity: Activity, threshold: int) -> list[AttendanceRow]:
    """The expected participants with the sessions each attended, whether that meets the
    threshold (a percentage of the activity's sessions), and their valid attendance
    certificate if any. Three queries, whatever the number of participants."""
    sessions = activity.sessions.count()
    registrations = (
        expected_participants(activity=activity)
        .select_related("person__user")
        .annotate(attended=Count("attendances", distinct=True))
    )
    certificates = {
        cert.holder_person_id: cert
        for cert in Certificate.objects.filter(
            activity=activity, kind=CertificateKind.ATTENDANCE, revoked_at__isnull=True
        ).exclude(holder_person__isnull=True)
    }
    return [
        AttendanceRow(
            registration=registration,
            attended=registration.attended,
            sessions=sessions,
            certificate=certificates.get(registration.person_id),
            eligible=sessions > 0 and 100 * registration.attended >= threshold * sessions,
        )
        for registration in registrations
    ]
