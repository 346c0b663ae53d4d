"""Reads for the dashboards, scoped by the user who asks."""

from __future__ import annotations

from typing import Any

from cybercap.accounts import access
from cybercap.accounts.models import Role, User
from cybercap.core.models import AuditEntry
from cybercap.network.models import Agency, Country, Person


def dashboard_for_user(*, user: Any) -> dict[str, Any]:
    """One panel per role the user holds, each with a fixed number of queries."""
    held = access.roles(user)
    panels: dict[str, Any] = {}
    if Role.STAFF in held:
        panels["staff"] = {
            "countries": Country.objects.filter(asean_joined__isnull=False).count(),
            "guest_countries": Country.objects.filter(is_guest=True).count(),
            "agencies": Agency.objects.count(),
            "people": Person.objects.count(),
            "users": User.objects.filter(is_active=True).count(),
            "recent_audit": list(AuditEntry.objects.select_related("actor")[:8]),
        }
    country_ids = access.countries(user, Role.FOCAL_POINT, Role.INVESTIGATOR)
    if country_ids:
        panels["countries"] = list(Country.objects.filter(pk__in=country_ids).order_by("name"))
    person = Person.objects.filter(user_id=user.pk).select_related("agency", "country").first()
    return {"panels": panels, "held_roles": sorted(held), "person": person}
