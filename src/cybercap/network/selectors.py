"""Reads of the shared vocabulary, scoped by the user who asks.

Countries, agencies and topics are reference data that every signed-in user may read.
People carry personal data: staff see everyone, focal points and investigators the people of
their own country, everyone else only their own record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.network.models import Agency, Country, Person, Topic


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def countries_for_user(*, user: Any) -> QuerySet[Country]:
    if not _signed_in(user):
        return Country.objects.none()
    return Country.objects.all()


def agencies_for_user(*, user: Any) -> QuerySet[Agency]:
    if not _signed_in(user):
        return Agency.objects.none()
    return Agency.objects.select_related("country")


def topics_for_user(*, user: Any) -> QuerySet[Topic]:
    if not _signed_in(user):
        return Topic.objects.none()
    return Topic.objects.filter(retired=False).select_related("parent")


def people_for_user(*, user: Any) -> QuerySet[Person]:
    if not _signed_in(user):
        return Person.objects.none()
    queryset = Person.objects.select_related("agency", "country")
    if access.is_staff(user):
        return queryset
    reach = access.countries(user, Role.FOCAL_POINT, Role.INVESTIGATOR)
    return queryset.filter(Q(country_id__in=reach) | Q(user_id=user.pk))


def person_get_for_user(*, user: Any, pk: int) -> Person:
    return access.get_or_404(people_for_user(user=user), pk=pk)


def country_get_for_user(*, user: Any, code: str) -> Country:
    return access.get_or_404(countries_for_user(user=user), code=code.upper())


def agency_get_for_user(*, user: Any, pk: int) -> Agency:
    return access.get_or_404(agencies_for_user(user=user), pk=pk)
