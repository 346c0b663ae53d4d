"""The one access layer: who holds which role, and in which scope.

Every app scopes its querysets and fetches its objects through helpers built on these
functions (`*_for_user` selectors). An object outside the user's scope is a 404, never a 403,
so that its existence is not disclosed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from cybercap.accounts.models import COUNTRY_ROLES, TWO_FACTOR_ROLES, Role, RoleAssignment


@dataclass(frozen=True)
class Grant:
    role: str
    country_id: int | None
    country_code: str | None


def grants(user: Any) -> tuple[Grant, ...]:
    """The user's role assignments, read once per request and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_cybercap_grants", None)
    if cached is None:
        rows = RoleAssignment.objects.filter(user_id=user.pk).values_list(
            "role", "country_id", "country__code"
        )
        cached = tuple(Grant(role, cid, code) for role, cid, code in rows)
        user._cybercap_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, "_cybercap_grants"):
        del user._cybercap_grants


def roles(user: Any) -> set[str]:
    return {grant.role for grant in grants(user)}


def has_role(user: Any, *wanted: str) -> bool:
    held = roles(user)
    return any(role in held for role in wanted)


def is_staff(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def countries(user: Any, *for_roles: str) -> set[int]:
    """Country ids the user's country-scoped roles reach (all such roles when none named)."""
    wanted = set(for_roles) or set(COUNTRY_ROLES)
    return {g.country_id for g in grants(user) if g.role in wanted and g.country_id is not None}


def needs_two_factor(user: Any) -> bool:
    return bool(roles(user) & TWO_FACTOR_ROLES)


def get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    """Fetch one object from an already scoped queryset; out of scope is not found."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def scope_by_country(
    queryset: QuerySet[Any], user: Any, *, field: str, roles_allowed: Iterable[str]
) -> QuerySet[Any]:
    """Staff see everything; holders of ``roles_allowed`` see their countries' rows; others none."""
    if is_staff(user):
        return queryset
    reach = countries(user, *roles_allowed)
    if not reach:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": reach})


def is_in_scope(queryset: QuerySet[Any], obj: Model) -> bool:
    return queryset.filter(pk=obj.pk).exists()
