"""Synthetic training cases for the demo, made by running the field CLI's own functions.

Every name, place and file here is invented. During seeding, small evidence files are
generated in a temporary directory, acquired with ``field.acquire`` (manifest.json,
manifest.hashdeep, SHA256SUMS), their custody recorded and signed with ``field.custody``
under a fresh minisign key, and the output uploaded to the register through the same service
as the web page, so the demo shows a real verification, timeline and exports. The exercise
case also holds an upload whose custody log was altered by one byte, to show what a failed
verification looks like. Idempotent: a case that exists is left as it is.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cybercap.accounts.models import User
from cybercap.demo.registry import DemoReport
from cybercap.evidence import services
from cybercap.evidence.field import custody, minisign
from cybercap.evidence.field.acquire import AcquireRequest, acquire
from cybercap.evidence.models import Case, CaseKind
from cybercap.network.models import Country


@dataclass
class FieldOutput:
    """Paths of what the field CLI wrote for one exhibit."""

    manifest: Path
    log: Path
    head: Path
    signature: Path
    public_key: Path

    def uploads(self) -> dict[str, SimpleUploadedFile]:
        def upload(path: Path, name: str) -> SimpleUploadedFile:
            return SimpleUploadedFile(name, path.read_bytes())

        return {
            "manifest": upload(self.manifest, "manifest.json"),
            "custody_log": upload(self.log, self.log.name),
            "head": upload(self.head, self.head.name),
            "signature": upload(self.signature, self.signature.name),
            "public_key": upload(self.public_key, self.public_key.name),
        }


def run_field_cli(
    workdir: Path,
    *,
    source: Path,
    case: str,
    exhibit: str,
    examiner: str,
    events: list[dict[str, Any]],
) -> FieldOutput:
    """Acquire ``source`` and record ``events`` (seize, acquire, transfer...) as the CLI does.

    An event with ``"action": "acquire"`` carries the manifest's items, as
    ``custody record --action acquire --manifest`` does.
    """
    out = workdir / "out"
    acquire(
        AcquireRequest(
            source=str(source),
            case=case,
            exhibit=exhibit,
            examiner=examiner,
            output=str(out),
            algorithms=["sha256", "sha1", "md5"],
            command=["acquire", source.name, "--case", case, "--exhibit", exhibit],
        )
    )
    key = minisign.generate()
    key_path = workdir / "examiner.key"
    minisign.write_private(str(key_path), minisign.secret_key_text(key, None))
    public = workdir / "examiner.key.pub"
    public.write_text(key.public.text(), encoding="ascii")
    log = workdir / "custody.jsonl"
    manifest = out / "manifest.json"
    for event in events:
        items, reference = (
            custody.items_from_manifest(str(manifest))
            if event["action"] == "acquire"
            else ([], None)
        )
        custody.record(
            str(log),
            key,
            custody.EventInput(
                action=event["action"],
                case_id=case,
                exhibit=exhibit,
                actor=event["actor"],
                counterparty=event.get("to"),
                reason=event.get("reason"),
                location=event.get("location"),
                items=items,
                manifest=reference,
            ),
        )
    return FieldOutput(
        manifest=manifest,
        log=log,
        head=Path(f"{log}.head"),
        signature=Path(f"{log}.head.minisig"),
        public_key=public,
    )


def _write_scene(root: Path, seed: str) -> None:
    """A small synthetic 'USB stick': notes, a spreadsheet export and a binary blob."""
    rng = random.Random(seed)  # noqa: S311 - synthetic file content, not a secret
    (root / "DCIM").mkdir(parents=True)
    (root / "notes.txt").write_text(
        "Training scenario: ledger of fictitious online-fraud payments.\n", encoding="utf-8"
    )
    (root / "payments.csv").write_text(
        "date,amount,wallet\n"
        + "".join(f"2026-03-{d:02d},{rng.randint(50, 900)},demo-wallet-{d}\n" for d in range(1, 8)),
        encoding="utf-8",
    )
    (root / "DCIM" / "IMG_0001.raw").write_bytes(rng.randbytes(64 * 1024))


CASES = [
    {
        "reference": "TRAIN-MY-2026-01",
        "title": "First-responder training: seized USB stick (synthetic)",
        "kind": CaseKind.TRAINING,
        "country": "MY",
        "owner": "demo-investigator",
        "members": ["demo-trainer"],
        "exhibit": "EX-01",
        "description": "USB stick found at the mock scene (training room B)",
        "tamper": False,
    },
    {
        "reference": "EXER-PH-2026-02",
        "title": "Table-top exercise: laptop hand-over (synthetic)",
        "kind": CaseKind.EXERCISE,
        "country": "PH",
        "owner": "demo-trainer",
        "members": [],
        "exhibit": "EX-07",
        "description": "Laptop image handed to the regional lab (exercise inject 3)",
        "tamper": True,
    },
]


def _events(owner: str) -> list[dict[str, Any]]:
    return [
        {"action": "seize", "actor": owner, "location": "Mock scene, training room B"},
        {"action": "acquire", "actor": owner, "location": "Training lab bench 2"},
        {
            "action": "transfer",
            "actor": owner,
            "to": "Evidence store (training)",
            "reason": "Exercise instruction 4: store for later analysis",
            "location": "Training lab",
        },
    ]


def _seed_case(spec: dict[str, Any], report: DemoReport) -> None:
    owner = User.objects.filter(username=spec["owner"]).first()
    country = Country.objects.filter(code=spec["country"]).first()
    if owner is None or country is None:
        report.notes.append(f"evidence: {spec['reference']} skipped ({spec['owner']} missing)")
        return
    if Case.objects.filter(country=country, reference=spec["reference"]).exists():
        return
    members = list(User.objects.filter(username__in=spec["members"]))
    case = services.case_create(
        by=owner,
        reference=spec["reference"],
        title=spec["title"],
        kind=spec["kind"],
        country=country,
        description="Synthetic demo case: every name, place and file is invented.",
        members=members,
        is_demo=True,
    )
    exhibit = services.exhibit_create(
        by=owner, case=case, number=spec["exhibit"], description=spec["description"]
    )
    with tempfile.TemporaryDirectory(prefix="cybercap-demo-evidence-") as temp:
        workdir = Path(temp)
        source = workdir / "scene"
        _write_scene(source, spec["reference"])
        output = run_field_cli(
            workdir,
            source=source,
            case=case.reference,
            exhibit=exhibit.number,
            examiner=owner.display_name,
            events=_events(owner.display_name),
        )
        services.verification_upload(
            by=owner,
            exhibit=exhibit,
            files=dict(output.uploads()),
            evidence=SimpleUploadedFile("payments.csv", (source / "payments.csv").read_bytes()),
        )
        report.add_count("evidence uploads verified", 1)
        if spec["tamper"]:
            data = bytearray(output.log.read_bytes())
            where = data.index(b'"location":"Training lab bench 2"') + len('"location":"')
            data[where] = ord("t")  # "training lab bench 2": one byte changed
            output.log.write_bytes(bytes(data))
            services.verification_upload(by=owner, exhibit=exhibit, files=dict(output.uploads()))
            report.add_count("evidence uploads failing verification", 1)
    report.add_count("evidence cases created", 1)


def seed_evidence(*, scale: int, report: DemoReport) -> None:
    with transaction.atomic():
        for spec in CASES:
            _seed_case(spec, report)
