"""Setting up the demo: database, reference content, and every app's demo data."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from cybercap.core import demo_flag
from cybercap.demo import registry
from cybercap.demo.registry import DemoReport


def demo_setup(*, scale: int = 1, migrate: bool = True) -> DemoReport:
    """Migrate, load reference content, then run every registered seeder in one transaction."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from cybercap.core.content_service import content_load

    report = DemoReport()
    report.notes.extend(f"content {line}" for line in content_load(settings.CONTENT_DIR))
    with transaction.atomic():
        for _name, seeder in registry.seeders():
            seeder(scale=scale, report=report)
    demo_flag.forget()
    return report
