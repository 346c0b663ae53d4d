"""Self-registration in the role x URL matrix: public pages; signed-in users are sent away.

A tampered verification link fails clearly (400) for a visitor; the whole flow with a valid
link is in tests/accounts/test_register.py.
"""

from __future__ import annotations

from typing import Any

from tests.access import Rule, World, everyone


def _tampered(world: World) -> dict[str, Any]:
    return {"token": "eyJ1IjoxfQ:1vOa9b:not-a-real-signature"}


RULES: list[Rule] = [
    Rule("accounts:register", everyone(302, anonymous=200)),
    Rule("accounts:register", everyone(302, anonymous=400), method="POST", label="empty form"),
    Rule("accounts:register_sent", everyone(200)),
    Rule("accounts:register_verify", everyone(302, anonymous=400), kwargs=_tampered),
    Rule(
        "accounts:register_verify",
        everyone(302, anonymous=400),
        kwargs=_tampered,
        method="POST",
        label="tampered link",
    ),
]
