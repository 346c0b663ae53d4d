"""System checks: `cybercap check --deploy` flags unsafe production settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


def unsafe_settings() -> list[str]:
    """Why the current settings are unsafe for production, each naming the variable to set."""
    problems = []
    if settings.DEBUG:
        problems.append("CYBERCAP_DEBUG is on: turn it off in production.")
    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        problems.append(
            "CYBERCAP_SECRET_KEY is missing or the development default: set a long random value."
        )
    elif len(set(settings.SECRET_KEY)) < 5 or len(settings.SECRET_KEY) < 50:
        problems.append("CYBERCAP_SECRET_KEY is too short: use at least 50 random characters.")
    if not settings.ALLOWED_HOSTS:
        problems.append("CYBERCAP_ALLOWED_HOSTS is empty: list the host names the site answers to.")
    if settings.DEMO:
        problems.append("CYBERCAP_DEMO is on: demo mode is not for production.")
    return problems


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    return [
        Error(problem, id=f"cybercap.E00{index}")
        for index, problem in enumerate(unsafe_settings(), start=1)
    ]
