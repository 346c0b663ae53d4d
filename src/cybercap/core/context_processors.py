from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.core.demo_flag import demo_data_present


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: roles for the navigation, the demo banner."""
    user = getattr(request, "user", None)
    held = access.roles(user) if user is not None else set()
    return {
        "user_roles": held,
        # Any role beyond learner: the menu then shows the directory and API tokens.
        "user_has_work_role": bool(held - {Role.LEARNER}),
        "demo_data": demo_data_present(),
        "debug_mode": settings.DEBUG,
    }
