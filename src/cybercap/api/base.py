from __future__ import annotations

from ninja import NinjaAPI

import cybercap


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="cybercap API",
        version=cybercap.__version__,
        description="Programme data for the ASEAN cybercrime capacity-development platform.",
        urls_namespace="api",
    )
    return api
