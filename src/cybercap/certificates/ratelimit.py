"""A limit on failed look-ups of the public verification page and API, per client address.

A visitor who verifies real certificates never hits it; someone trying codes at random (each
has 55 random bits, so that is hopeless anyway) is stopped after ``MISSES_ALLOWED`` unknown
codes in ``WINDOW`` seconds, and then gets 429 for every look-up, found or not, until the window
ends. Counters live in the shared cache (Redis in production), so every app server agrees.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from cybercap.accounts.middleware import client_ip

WINDOW = 600
MISSES_ALLOWED = 30


def _key(request: HttpRequest) -> str:
    return f"certificates:verify-misses:{client_ip(request) or 'unknown'}"


def blocked(request: HttpRequest) -> bool:
    return int(cache.get(_key(request), 0)) >= MISSES_ALLOWED


def record_miss(request: HttpRequest) -> None:
    key = _key(request)
    # add() starts the window only if none is running; incr() never extends it.
    cache.add(key, 0, WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, WINDOW)
