"""Setting up the demo: database, reference content, and every app's demo data."""

from __future__ import annotations

import inspect

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from cybercap.core import demo_flag
from cybercap.demo import registry
from cybercap.demo.registry import DemoReport


def demo_setup(
    *,
    scale: int = 1,
    migrate: bool = True,
    learners: int | None = None,
    active_learners: int | None = None,
) -> DemoReport:
    """Migrate, load reference content, then run every registered seeder in one transaction.

    ``learners`` and ``active_learners`` (for benchmarks) go to the seeders that take them."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    if learners is not None and learners < 1:
        raise ValueError("learners must be 1 or more")
    if active_learners is not None and active_learners < 0:
        raise ValueError("active learners must be 0 or more")
    options = {"learners": learners, "active_learners": active_learners}
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from cybercap.core.content_service import content_load

    report = DemoReport()
    report.notes.extend(f"content {line}" for line in content_load(settings.CONTENT_DIR))
    with transaction.atomic():
        for _name, seeder in registry.seeders():
            accepted = inspect.signature(seeder).parameters
            extra = {k: v for k, v in options.items() if k in accepted}
            seeder(scale=scale, report=report, **extra)
    demo_flag.forget()
    return report
