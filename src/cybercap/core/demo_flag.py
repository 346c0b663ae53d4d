"""Whether this installation holds synthetic demo data (then every page says so)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

_CACHE_KEY = "cybercap:demo-data-present"


def demo_data_present() -> bool:
    if settings.DEMO:
        return True
    value = cache.get(_CACHE_KEY)
    if value is None:
        from cybercap.network.models import Agency

        value = Agency.objects.filter(is_demo=True).exists()
        cache.set(_CACHE_KEY, value, 300)
    return bool(value)


def forget() -> None:
    cache.delete(_CACHE_KEY)
