"""Uploading the field CLI's output: verified, tampered, forged, oversize and wrong type."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cybercap.core.models import AuditEntry
from cybercap.evidence import services
from cybercap.evidence.models import CustodyEvent, Verification
from tests.conftest import login
from tests.evidence.test_register_support import field_output, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def investigator(make_user: Callable[..., Any], thailand: Any) -> Any:
    return make_user("investigator", thailand, first_name="Somchai", last_name="P")


@pytest.fixture
def case_exhibit(investigator: Any, thailand: Any) -> tuple[Any, Any]:
    return make_case(investigator, thailand)


def _stored_files(settings: Any) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_a_cli_output_is_verified_and_its_timeline_kept(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path, settings: Any
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
        evidence=SimpleUploadedFile("payments.csv", b"date,amount\n2026-03-01,120\n"),
    )
    assert (verification.status, verification.problems) == ("verified", [])
    assert verification.entries == 3
    assert verification.content_checked is True
    assert verification.content_report["path"] == "payments.csv"
    last_line = output.log.read_bytes().splitlines(keepends=True)[-1]
    import hashlib

    assert verification.head_hash == hashlib.sha256(last_line).hexdigest()
    assert verification.trusted_comment.endswith(f"entries 3 head {verification.head_hash}")
    events = list(CustodyEvent.objects.filter(verification=verification))
    assert [(e.seq, e.action, e.actor, e.counterparty, e.holder) for e in events] == [
        (1, "seize", "Somchai P.", "", "Somchai P."),
        (2, "acquire", "Somchai P.", "", "Somchai P."),
        (3, "transfer", "Somchai P.", "Evidence store", "Evidence store"),
    ]
    assert events[1].items == 3
    assert [p.name for p in _stored_files(settings)] == sorted(
        ["custody.jsonl", "custody.jsonl.head", "custody.jsonl.head.minisig", "manifest.json"]
    )
    audited = set(
        AuditEntry.objects.filter(model__startswith="evidence.").values_list("model", "action")
    )
    assert {
        ("evidence.Case", "create"),
        ("evidence.Exhibit", "create"),
        ("evidence.Verification", "create"),
    } <= audited


def test_a_custody_log_with_one_byte_changed_is_rejected_saying_where(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    data = bytearray(output.log.read_bytes())
    where = data.index(b"Lab bench 2")
    data[where] = ord("l")  # one byte, in entry 2
    output.log.write_bytes(bytes(data))
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.status == "failed"
    assert verification.problems == [
        "custody log: line 3: its prev is not the SHA-256 of line 2 (an entry before it was "
        "edited, inserted, deleted or reordered)"
    ]
    assert verification.head_hash == ""
    assert verification.events.count() == 0


def test_an_edited_last_entry_is_named(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    output.log.write_bytes(output.log.read_bytes().replace(b"Evidence store", b"Evidence st0re"))
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.problems == [
        "custody log: line 3 (the last): its SHA-256 is not the signed head hash (edited)"
    ]


def test_a_manifest_with_a_forged_hash_is_rejected_saying_where(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    manifest = json.loads(output.manifest.read_text(encoding="utf-8"))
    record = next(r for r in manifest["files"] if r["path"] == "notes.txt")
    real = record["hashes"]["sha256"]
    record["hashes"]["sha256"] = "0" * 64
    output.manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.status == "failed"
    recorded = json.loads(output.log.read_bytes().splitlines()[1])["manifest"]["sha256"]
    assert verification.problems == [
        f"manifest.json: its SHA-256 is {verification.manifest_sha256}, but custody log line 2 "
        f"(acquire) recorded {recorded}: the manifest was changed after the acquisition was "
        "recorded",
        f"manifest.json: ./notes.txt: sha256 {'0' * 64} differs from {real} recorded in "
        "custody log line 2 (acquire): forged or edited",
    ]


def test_an_evidence_file_that_changed_is_named(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
        evidence=SimpleUploadedFile("payments.csv", b"date,amount\n2026-03-01,920\n"),
    )
    assert verification.problems == [
        "evidence file payments.csv: does not match manifest.json's ./payments.csv: "
        "hash differs: sha256, sha1, md5"
    ]


def test_a_checkpoint_signed_by_another_key_is_rejected(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    from cybercap.evidence.field import minisign

    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    other = minisign.generate()
    output.public_key.write_text(other.public.text(), encoding="ascii")
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    (problem,) = verification.problems
    assert problem.startswith("custody log: checkpoint: bad signature: signed by key ")
    assert problem.endswith(", which is not among those given")


def test_a_log_of_another_case_is_rejected(
    investigator: Any, thailand: Any, tmp_path: Path
) -> None:
    _case, exhibit = make_case(investigator, thailand)
    other, other_exhibit = make_case(investigator, thailand, "TRAIN-TH-2026-02")
    output = field_output(tmp_path, other, other_exhibit)
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.problems[:2] == [
        "manifest.json: case is 'TRAIN-TH-2026-02', this register case is 'TRAIN-TH-2026-01'",
        "custody log: line 1: case is 'TRAIN-TH-2026-02', not 'TRAIN-TH-2026-01'",
    ]


def test_a_log_of_another_exhibit_is_rejected(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    other = services.exhibit_create(by=investigator, case=case, number="EX-02")
    output = field_output(tmp_path, case, other)
    verification = services.verification_upload(
        by=investigator,
        exhibit=exhibit,
        files=output.uploads(),  # type: ignore[arg-type]
    )
    assert verification.problems == [
        "manifest.json: exhibit is 'EX-02', this exhibit is 'EX-01'",
        "custody log: line 1: exhibit is 'EX-02', not 'EX-01'",
        "custody log: line 2: exhibit is 'EX-02', not 'EX-01'",
        "custody log: line 3: exhibit is 'EX-02', not 'EX-01'",
    ]


# --- through the web page ---------------------------------------------------------------------


def _post(client: Client, case: Any, exhibit: Any, files: dict[str, Any]) -> Any:
    return client.post(f"/evidence/{case.pk}/exhibits/{exhibit.pk}/upload/", files)


def test_the_page_shows_the_verified_timeline(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    client = login(Client(), investigator)
    response = _post(client, case, exhibit, output.uploads())
    verification = Verification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/{case.pk}/verifications/{verification.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Training and exercise cases only." in page
    assert "Verified." in page
    assert verification.head_hash in page
    assert page.count('class="timeline__event ') == 3


def test_the_page_says_where_a_tampered_log_failed(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    output = field_output(tmp_path, case, exhibit)
    output.log.write_bytes(output.log.read_bytes().replace(b"Lab bench 2", b"Lab bench 3"))
    client = login(Client(), investigator)
    response = _post(client, case, exhibit, output.uploads())
    page = client.get(response["Location"]).content.decode()
    assert "Verification failed." in page
    assert "custody log: line 3: its prev is not the SHA-256 of line 2" in page
    assert "timeline__event" not in page


@pytest.mark.parametrize(
    ("field", "content", "message"),
    [
        ("manifest", b"%PDF-1.4 not a manifest", "manifest.json is not valid JSON"),
        ("custody_log", b"\x89PNG\r\n\x1a\n\x00\x00", "custody log: not a text file"),
        ("head", b"<html><script>alert(1)</script>", "checkpoint: not a checkpoint"),
        ("signature", b"MZ\x90\x00 an executable", "minisign signature: not a minisign"),
        ("public_key", b"-----BEGIN PGP PUBLIC KEY-----", "not a minisign public key"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_kept(
    investigator: Any,
    case_exhibit: tuple[Any, Any],
    tmp_path: Path,
    settings: Any,
    field: str,
    content: bytes,
    message: str,
) -> None:
    case, exhibit = case_exhibit
    files = field_output(tmp_path, case, exhibit).uploads()
    files[field] = SimpleUploadedFile("upload.bin", content)
    response = _post(login(Client(), investigator), case, exhibit, files)
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    assert len(errors) == 1
    assert errors[0].startswith(message)
    assert Verification.objects.count() == 0
    assert _stored_files(settings) == []


def test_an_oversize_file_is_refused_before_it_is_read(
    investigator: Any,
    case_exhibit: tuple[Any, Any],
    tmp_path: Path,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case, exhibit = case_exhibit
    files = field_output(tmp_path, case, exhibit).uploads()
    files["head"] = SimpleUploadedFile("custody.jsonl.head", b"x" * 1025)
    response = _post(login(Client(), investigator), case, exhibit, files)
    assert response.status_code == 422
    assert response.context["form"].errors["head"] == [
        "custody.jsonl.head is larger than 1,024 bytes, the most accepted here."
    ]
    settings.MAX_UPLOAD_BYTES = 100
    files = field_output(tmp_path / "again", case, exhibit).uploads()
    files["evidence"] = SimpleUploadedFile("image.dd", b"\x00" * 101)
    response = _post(login(Client(), investigator), case, exhibit, files)
    assert response.context["form"].errors["evidence"] == [
        "image.dd is larger than 100 bytes, the most accepted here."
    ]
    assert Verification.objects.count() == 0
    assert _stored_files(settings) == []


def test_the_upload_is_csrf_checked(
    investigator: Any, case_exhibit: tuple[Any, Any], tmp_path: Path
) -> None:
    case, exhibit = case_exhibit
    client = login(Client(enforce_csrf_checks=True), investigator)
    response = _post(client, case, exhibit, field_output(tmp_path, case, exhibit).uploads())
    assert response.status_code == 403
    assert Verification.objects.count() == 0


def test_a_missing_file_is_named(investigator: Any, case_exhibit: tuple[Any, Any]) -> None:
    case, exhibit = case_exhibit
    response = _post(login(Client(), investigator), case, exhibit, {})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {
        "manifest",
        "custody_log",
        "head",
        "signature",
        "public_key",
    }
