"""Who may do what in the evidence register. Reads go through ``selectors.cases_for_user``.

Staff see every case. An investigator sees the cases of their country that they own or are
named on; a trainer (whose scope is their activities, not a country) the cases they own or
are named on. Other roles see nothing. Whoever sees a case may add exhibits and upload.
"""

from __future__ import annotations

from typing import Any

from cybercap.accounts import access
from cybercap.accounts.models import Role

USING_ROLES = (Role.STAFF, Role.INVESTIGATOR, Role.TRAINER)


def can_use_register(user: Any) -> bool:
    return access.has_role(user, *USING_ROLES)


def country_ids_for_new_cases(user: Any) -> set[int] | None:
    """Countries the user may open a case in; None means any (staff and trainers)."""
    if access.has_role(user, Role.STAFF, Role.TRAINER):
        return None
    return access.countries(user, Role.INVESTIGATOR)


def may_be_named(user_roles: set[str], user_countries: set[int], country_id: int) -> bool:
    """A trainer, or an investigator of the case's country, may be named on it."""
    return Role.TRAINER in user_roles or (
        Role.INVESTIGATOR in user_roles and country_id in user_countries
    )
