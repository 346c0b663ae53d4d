"""The one entry point through which every app adds to the synthetic demo data set.

An app registers a seeder ``fn(*, scale: int, report: DemoReport) -> None`` in its
AppConfig.ready(); `cybercap demo` runs them in order inside one transaction. Seeders must be
idempotent: running the demo twice changes nothing the second time. A seeder may also take
keyword options of `cybercap demo` (``learners``, ``active_learners``), passed when it names
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class DemoLogin:
    username: str
    password: str | None
    roles: str
    otpauth_uri: str | None = None
    backup_codes: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    logins: list[DemoLogin] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_count(self, label: str, number: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + number


Seeder = Callable[..., None]
_seeders: dict[str, tuple[int, Seeder]] = {}


def register(name: str, seeder: Seeder, *, order: int = 100) -> None:
    _seeders[name] = (order, seeder)


def seeders() -> list[tuple[str, Seeder]]:
    return [(name, fn) for name, (_, fn) in sorted(_seeders.items(), key=lambda i: (i[1][0], i[0]))]
