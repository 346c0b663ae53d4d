"""Uploading and reading verifications through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cybercap.accounts.tokens import token_create
from cybercap.evidence.models import Verification
from tests.evidence.test_register_support import field_output, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setup(make_user: Callable[..., Any], thailand: Any, tmp_path: Path) -> dict[str, Any]:
    owner = make_user("investigator", thailand)
    case, exhibit = make_case(owner, thailand)
    _, token = token_create(user=owner, name="api")
    return {
        "client": Client(HTTP_AUTHORIZATION=f"Bearer {token}"),
        "case": case,
        "exhibit": exhibit,
        "output": field_output(tmp_path / "cli", case, exhibit),
        "url": f"/api/v1/evidence/cases/{case.pk}/exhibits/{exhibit.pk}/verifications",
    }


def test_an_upload_is_verified_with_its_timeline(setup: dict[str, Any]) -> None:
    response = setup["client"].post(setup["url"], setup["output"].uploads())
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["problems"], body["entries"]) == ("verified", [], 3)
    assert [(e["seq"], e["action"], e["holder"]) for e in body["events"]] == [
        (1, "seize", "Somchai P."),
        (2, "acquire", "Somchai P."),
        (3, "transfer", "Evidence store"),
    ]
    again = setup["client"].get(
        f"/api/v1/evidence/cases/{setup['case'].pk}/verifications/{body['id']}"
    )
    assert again.json() == body
    detail = setup["client"].get(f"/api/v1/evidence/cases/{setup['case'].pk}").json()
    assert [(e["number"], e["latest_status"], e["uploads"]) for e in detail["exhibits"]] == [
        ("EX-01", "verified", 1)
    ]


def test_a_tampered_log_is_answered_failed_saying_where(setup: dict[str, Any]) -> None:
    log = setup["output"].log
    log.write_bytes(log.read_bytes().replace(b'"seq":2', b'"seq":5'))
    body = setup["client"].post(setup["url"], setup["output"].uploads()).json()
    assert body["status"] == "failed"
    assert body["problems"] == [
        "custody log: line 2: seq is 5, expected 2",
        "custody log: line 3: its prev is not the SHA-256 of line 2 (an entry before it was "
        "edited, inserted, deleted or reordered)",
    ]
    assert body["events"] == []


def test_a_wrong_type_is_a_422_and_nothing_is_kept(setup: dict[str, Any]) -> None:
    files = setup["output"].uploads()
    files["manifest"] = SimpleUploadedFile("manifest.json", b"\x7fELF\x02\x01\x01")
    response = setup["client"].post(setup["url"], files)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["loc"], e["type"]) for e in body["errors"]] == [
        (["body", "manifest"], "invalid_upload")
    ]
    assert body["errors"][0]["msg"].startswith("manifest.json is not valid JSON")
    assert Verification.objects.count() == 0


def test_missing_files_are_named(setup: dict[str, Any]) -> None:
    response = setup["client"].post(setup["url"], {})
    assert response.status_code == 422
    assert [e["loc"][1] for e in response.json()["errors"]] == ["manifest"]


def test_another_countrys_investigator_cannot_upload(
    setup: dict[str, Any], make_user: Callable[..., Any], vietnam: Any
) -> None:
    _, token = token_create(user=make_user("investigator", vietnam), name="api")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(setup["url"], setup["output"].uploads())
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Verification.objects.count() == 0
