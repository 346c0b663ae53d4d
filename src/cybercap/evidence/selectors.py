"""Every read of the evidence register, scoped by the user who asks (see ``permissions``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery

from cybercap.accounts import access
from cybercap.accounts.models import Role, RoleAssignment, User
from cybercap.evidence.models import Case, CustodyEvent, Exhibit, Verification


def cases_for_user(*, user: Any) -> QuerySet[Case]:
    cases = Case.objects.all()
    if access.is_staff(user):
        return cases
    held = access.roles(user)
    named = Q(owner_id=user.pk) | Q(
        pk__in=Case.members.through.objects.filter(user_id=user.pk).values("case_id")
    )
    if Role.TRAINER in held:
        return cases.filter(named)
    if Role.INVESTIGATOR in held:
        return cases.filter(named, country_id__in=access.countries(user, Role.INVESTIGATOR))
    return cases.none()


def case_list_for_user(*, user: Any) -> QuerySet[Case]:
    """The list page's rows: a fixed number of queries whatever the number of cases."""
    return (
        cases_for_user(user=user)
        .select_related("country", "owner")
        .annotate(
            exhibit_count=Count("exhibits", distinct=True),
            last_upload=Max("exhibits__verifications__uploaded_at"),
        )
    )


def case_get_for_user(*, user: Any, pk: int) -> Case:
    return access.get_or_404(cases_for_user(user=user).select_related("country", "owner"), pk=pk)


def exhibits_for_case(case: Case) -> QuerySet[Exhibit]:
    latest = Verification.objects.filter(exhibit_id=OuterRef("pk")).order_by("-uploaded_at", "-pk")
    return case.exhibits.annotate(
        uploads=Count("verifications"),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_pk=Subquery(latest.values("pk")[:1]),
    )


def exhibit_get(case: Case, pk: int) -> Exhibit:
    return access.get_or_404(case.exhibits.all(), pk=pk)


def verifications_for_exhibit(exhibit: Exhibit) -> QuerySet[Verification]:
    return exhibit.verifications.select_related("uploaded_by").defer("public_key")


def verification_get(case: Case, pk: int) -> Verification:
    return access.get_or_404(
        Verification.objects.filter(exhibit__case=case).select_related(
            "exhibit", "exhibit__case", "exhibit__case__country", "uploaded_by"
        ),
        pk=pk,
    )


def events_for(verification: Verification) -> list[CustodyEvent]:
    return list(verification.events.all())


def members_of(case: Case) -> list[User]:
    return list(case.members.order_by("username"))


def nameable_users(*, country_id: int | None = None) -> QuerySet[User]:
    """Users who may be named on a case: trainers, and investigators (of the country)."""
    investigators = RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.INVESTIGATOR)
    if country_id is not None:
        investigators = investigators.filter(country_id=country_id)
    trainers = RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.TRAINER)
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(investigators) | Exists(trainers))
        .order_by("username")
    )
