"""Demo seeder (filled in below)."""

from __future__ import annotations

from cybercap.demo.registry import DemoReport


def seed_activities(*, scale: int, report: DemoReport) -> None:
    return None
