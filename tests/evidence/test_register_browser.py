"""In a real browser (strict CSP enforced): an investigator runs the field CLI's functions on a
synthetic scene, uploads the output to the register and sees the verified custody timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cybercap.evidence.models import Verification
from tests.browser import log_in
from tests.evidence.test_register_support import field_output, make_case
from tests.factories import RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_investigator_uploads_cli_output_and_sees_the_verified_timeline(
    page: Page, live_server: Any, thailand: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    somchai = UserFactory(username="somchai", first_name="Somchai", last_name="P.")
    RoleFactory(user=somchai, role="investigator", country=thailand)
    case, exhibit = make_case(somchai, thailand, "TRAIN-TH-2026-01")
    output = field_output(tmp_path / "cli", case, exhibit)

    log_in(page, base, "somchai")
    page.locator(".site-nav").get_by_role("link", name="Evidence register").click()
    expect(page.locator(".register-notice")).to_contain_text("Training and exercise cases only.")
    page.get_by_role("link", name="TRAIN-TH-2026-01").click()
    page.get_by_role("link", name="EX-01").click()
    for label, path in (
        ("Manifest (manifest.json)", output.manifest),
        ("Custody log", output.log),
        ("Signed checkpoint (LOG.head)", output.head),
        ("Checkpoint signature (LOG.head.minisig)", output.signature),
        ("Public key (KEYFILE.pub)", output.public_key),
        ("Evidence file (optional)", tmp_path / "cli" / "scene" / "payments.csv"),
    ):
        page.get_by_label(label).set_input_files(str(path))
    page.get_by_role("button", name="Upload and verify").click()

    expect(page.locator(".outcome--ok")).to_contain_text("Verified.")
    expect(page.locator(".outcome--ok")).to_contain_text("The evidence file matches the manifest.")
    verification = Verification.objects.get()
    expect(page.locator(".head-hash")).to_have_text(verification.head_hash)
    events = page.locator(".timeline__event")
    expect(events).to_have_count(3)
    expect(events.nth(0)).to_contain_text("Seized")
    expect(events.nth(0)).to_contain_text("Mock scene, room 3B")
    expect(events.nth(2)).to_contain_text("Transferred")
    expect(events.nth(2)).to_contain_text("Evidence store")
    expect(events.nth(2)).to_contain_text("Exercise instruction 4")
    expect(page.get_by_role("link", name="Chain-of-custody form (PDF)")).to_be_visible()
