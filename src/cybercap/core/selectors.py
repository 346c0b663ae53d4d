"""Reads for the dashboards, scoped by the user who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cybercap.accounts import access
from cybercap.accounts.models import Role, User
from cybercap.core.models import AuditEntry
from cybercap.network.models import Agency, Country, Person

RECENT_AUDIT = 8


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated count subquery (one query for the outer rows, no join fan-out)."""
    counted = (
        queryset.filter(country=OuterRef("pk"))
        .order_by()
        .values("country")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _countries_with_figures(country_ids: set[int]) -> list[Country]:
    return list(
        Country.objects.filter(pk__in=country_ids)
        .annotate(
            agency_count=_count_of(Agency.objects.all()),
            people_count=_count_of(Person.objects.all()),
        )
        .order_by("name")
    )


def dashboard_for_user(*, user: Any) -> dict[str, Any]:
    """One panel per role the user holds; a fixed number of queries whatever the data size.

    Queries: the role grants (once per request, cached on the user), the user's person
    record, then staff 5, focal point and investigator together 1; the other roles read
    nothing more until their modules exist.
    """
    held = access.roles(user)
    person = Person.objects.filter(user_id=user.pk).select_related("agency", "country").first()
    panels: dict[str, Any] = {}
    if Role.STAFF in held:
        countries = Country.objects.aggregate(
            members=Count("pk", filter=Q(asean_joined__isnull=False)),
            guests=Count("pk", filter=Q(is_guest=True)),
        )
        panels["staff"] = {
            "countries": countries["members"],
            "guest_countries": countries["guests"],
            "agencies": Agency.objects.count(),
            "people": Person.objects.count(),
            "users": User.objects.filter(is_active=True).count(),
            "recent_audit": list(AuditEntry.objects.select_related("actor")[:RECENT_AUDIT]),
        }
    focal = access.countries(user, Role.FOCAL_POINT)
    investigating = access.countries(user, Role.INVESTIGATOR)
    if focal or investigating:
        by_id = {c.pk: c for c in _countries_with_figures(focal | investigating)}
        if focal:
            panels["focal_point"] = [c for pk, c in by_id.items() if pk in focal]
        if investigating:
            panels["investigator"] = [c for pk, c in by_id.items() if pk in investigating]
    for role in (Role.REVIEWER, Role.TRAINER, Role.LEARNER):
        if role in held:
            panels[str(role)] = True
    return {
        "panels": panels,
        "held_roles": [Role(key) for key in sorted(held)],
        "person": person,
    }
