"""Assembles each app's router under /api/v1/."""

from cybercap.api.base import build_api

api = build_api()
