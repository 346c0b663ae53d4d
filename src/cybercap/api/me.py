"""The signed-in user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.api.base import caller, responses

router = Router()


class RoleOut(Schema):
    role: Role
    country: str | None = Field(description="ISO code of the country the role covers, if any.")


class MeOut(Schema):
    username: str
    name: str
    email: str
    time_zone: str = Field(description="The zone times are shown in.")
    language: str = Field(description="Preferred language code; empty for the default.")
    roles: list[RoleOut]


@router.get("/me", response=responses(MeOut))
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the token or session belongs to, and the roles it holds."""
    user: Any = caller(request)
    grants = sorted(access.grants(user), key=lambda g: (g.role, g.country_code or ""))
    return {
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "time_zone": user.time_zone or settings.DISPLAY_TIME_ZONE,
        "language": user.language,
        "roles": [{"role": g.role, "country": g.country_code} for g in grants],
    }
