"""The demo's synthetic training cases are made by really running the field CLI's functions."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cybercap.evidence.models import Case, Verification

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_verified_training_cases_once(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--no-serve", stdout=io.StringIO())
    cases = Case.objects.order_by("reference")
    assert [(c.reference, c.kind, c.country.code, c.owner.username, c.is_demo) for c in cases] == [
        ("EXER-PH-2026-02", "exercise", "PH", "demo-trainer", True),
        ("TRAIN-MY-2026-01", "training", "MY", "demo-investigator", True),
    ]
    results = [
        (v.exhibit.case.reference, v.status, v.content_checked, v.problems)
        for v in Verification.objects.order_by("pk")
    ]
    assert results == [
        ("TRAIN-MY-2026-01", "verified", True, []),
        ("EXER-PH-2026-02", "verified", True, []),
        (
            "EXER-PH-2026-02",
            "failed",
            False,
            [
                "custody log: line 3: its prev is not the SHA-256 of line 2 (an entry before "
                "it was edited, inserted, deleted or reordered)"
            ],
        ),
    ]
    first = Verification.objects.order_by("pk").first()
    assert first is not None
    assert [e.holder for e in first.events.all()] == [
        "Nurul Aisyah",
        "Nurul Aisyah",
        "Evidence store (training)",
    ]
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert (Case.objects.count(), Verification.objects.count()) == (2, 3)
