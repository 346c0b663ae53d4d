"""The exports of a verified upload: the CASE/UCO graph and the chain-of-custody form (PDF)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from cybercap.core.models import AuditEntry
from cybercap.evidence import services
from cybercap.evidence.models import Export
from tests.conftest import login
from tests.evidence.test_register_support import field_output, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(
    make_user: Callable[..., Any], thailand: Any, tmp_path: Path, settings: Any
) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = make_user("investigator", thailand)
    case, exhibit = make_case(owner, thailand)
    output = field_output(tmp_path / "cli", case, exhibit)
    verification = services.verification_upload(
        by=owner,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.verified
    return {
        "client": login(Client(), owner),
        "base": f"/evidence/{case.pk}/verifications/{verification.pk}/",
        "verification": verification,
        "output": output,
    }


def test_the_custody_form_carries_the_signed_head_hash(verified: dict[str, Any]) -> None:
    response = verified["client"].get(verified["base"] + "custody-form.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = re.sub(r"\s+", "", text)
    assert verified["verification"].head_hash in flat
    assert "Trainingandexercisecase:notforrealcasework." in flat
    assert "Chain-of-custodyform" in flat
    for actor in ("Somchai P.", "Evidence store", "Exercise instruction 4"):
        assert actor.replace(" ", "") in flat
    assert Export.objects.get().kind == "form"
    assert AuditEntry.objects.filter(model="evidence.Export", action="create").count() == 1


def test_the_case_graph_is_the_field_packages_export(verified: dict[str, Any]) -> None:
    from cybercap.evidence.field.case import build_case_graph

    response = verified["client"].get(verified["base"] + "case.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    output = verified["output"]
    manifest = json.loads(output.manifest.read_text(encoding="utf-8"))
    events = [json.loads(line) for line in output.log.read_bytes().splitlines()]
    assert json.loads(response.content) == build_case_graph(manifest, events)


def test_case_validate_accepts_the_registers_export(
    verified: dict[str, Any], tmp_path: Path
) -> None:
    validate = Path(sys.executable).with_name("case_validate")
    assert validate.exists(), "case-utils (a test extra) provides case_validate"
    response = verified["client"].get(verified["base"] + "case.jsonld")
    export = tmp_path / "export.jsonld"
    export.write_bytes(response.content)
    done = subprocess.run(
        [str(validate), str(export)], capture_output=True, text=True, timeout=300, check=False
    )
    assert (done.returncode, "Conforms: True" in done.stdout) == (0, True), done.stdout[-2000:]


def test_a_failed_upload_is_not_exported(verified: dict[str, Any], tmp_path: Path) -> None:
    verification = verified["verification"]
    output = verified["output"]
    output.log.write_bytes(output.log.read_bytes().replace(b"Lab bench 2", b"Lab bench 9"))
    failed = services.verification_upload(
        by=verification.uploaded_by,
        exhibit=verification.exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    base = f"/evidence/{verification.exhibit.case_id}/verifications/{failed.pk}/"
    assert verified["client"].get(base + "custody-form.pdf").status_code == 403
    assert verified["client"].get(base + "case.jsonld").status_code == 403


def test_an_uploaded_file_is_only_ever_a_download(verified: dict[str, Any]) -> None:
    response = verified["client"].get(verified["base"] + "files/custody.jsonl")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="custody.jsonl"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == verified["output"].log.read_bytes()
