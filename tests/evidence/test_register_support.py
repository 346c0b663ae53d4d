"""Helpers for the evidence register's tests (no tests here): cases made through the service,
and real field-CLI output made by running the field package's functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cybercap.evidence import services
from cybercap.evidence.demo import FieldOutput, run_field_cli
from cybercap.evidence.models import Case, Exhibit


def make_case(
    owner: Any,
    country: Any,
    reference: str = "TRAIN-TH-2026-01",
    *,
    members: tuple[Any, ...] = (),
    exhibit: str = "EX-01",
) -> tuple[Case, Exhibit]:
    case = services.case_create(
        by=owner,
        reference=reference,
        title=f"Training case {reference}",
        kind="training",
        country=country,
        members=members,
    )
    return case, services.exhibit_create(by=owner, case=case, number=exhibit)


def write_source(root: Path) -> Path:
    (root / "DCIM").mkdir(parents=True)
    (root / "notes.txt").write_text("Synthetic scene notes.\n", encoding="utf-8")
    (root / "payments.csv").write_text("date,amount\n2026-03-01,120\n", encoding="utf-8")
    (root / "DCIM" / "IMG_0001.raw").write_bytes(bytes(range(256)) * 64)
    return root


EVENTS = [
    {"action": "seize", "actor": "Somchai P.", "location": "Mock scene, room 3B"},
    {"action": "acquire", "actor": "Somchai P.", "location": "Lab bench 2"},
    {
        "action": "transfer",
        "actor": "Somchai P.",
        "to": "Evidence store",
        "reason": "Exercise instruction 4",
        "location": "Training lab",
    },
]


def field_output(
    workdir: Path, case: Case, exhibit: Exhibit, events: list[dict[str, Any]] | None = None
) -> FieldOutput:
    """Run acquire and custody record on a synthetic source, as an investigator would."""
    source = write_source(workdir / "scene")
    return run_field_cli(
        workdir,
        source=source,
        case=case.reference,
        exhibit=exhibit.number,
        examiner="Somchai P.",
        events=events or EVENTS,
    )
