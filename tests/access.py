"""The personas, rules and world of the role x URL matrix (tests/test_access_matrix.py).

An app adds its own rules without touching the matrix: a module in tests/access_rules/ with
``RULES: list[Rule]`` and, when its URLs need objects, ``populate(world: World) -> None`` that
creates them (two countries' worth, TH and VN, so that cross-country reads are tried) and
stores them in ``world.extra``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cybercap.accounts.models import ApiToken

PERSONAS = ["anonymous", "staff", "reviewer", "focal_th", "trainer", "investigator_th", "learner"]
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
NOT_STAFF = [p for p in SIGNED_IN if p != "staff"]
TH_SCOPE = ["staff", "focal_th", "investigator_th"]


def everyone(status: int, anonymous: int | None = None) -> dict[str, int]:
    result = dict.fromkeys(SIGNED_IN, status)
    result["anonymous"] = status if anonymous is None else anonymous
    return result


def only(allowed: list[str], status: int, others: int, anonymous: int = 302) -> dict[str, int]:
    result = {persona: (status if persona in allowed else others) for persona in SIGNED_IN}
    result["anonymous"] = anonymous
    return result


@dataclass
class World:
    th: Any
    vn: Any
    th_agency: Any
    vn_agency: Any
    th_person: Any
    vn_person: Any
    topic: Any
    users: dict[str, Any]
    staff_token: ApiToken
    learner_token: ApiToken
    tokens: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rule:
    pattern: str  # fnmatch over the URL name, e.g. "network:person_detail"
    expect: dict[str, int]
    kwargs: Callable[[World], dict[str, Any]] | None = None
    method: str = "GET"
    label: str = ""


def _plugins() -> list[Any]:
    import tests.access_rules as package

    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]


def plugin_rules() -> list[Rule]:
    return [rule for module in _plugins() for rule in getattr(module, "RULES", [])]


def populate_plugins(world: World) -> None:
    for module in _plugins():
        populate = getattr(module, "populate", None)
        if populate is not None:
            populate(world)
