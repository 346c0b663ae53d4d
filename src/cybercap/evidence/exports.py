"""Exports of a verified upload: the CASE/UCO graph and the printable chain-of-custody form.

The graph is built by the field package (``field.case.build_case_graph``, the same code as
``cybercap evidence export-case``) from the stored manifest and custody log. The form is
rendered by WeasyPrint from a template, as the review report is, with the signed head hash on
it so that the paper and the log can be matched.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from cybercap.core import demo_flag
from cybercap.core.gcpause import collection_paused
from cybercap.evidence.models import CustodyEvent, Verification

STYLESHEET = "evidence/custody-form.css"


def file_stem(verification: Verification) -> str:
    exhibit = verification.exhibit
    raw = f"{exhibit.case.reference}-{exhibit.number}-{verification.pk}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", raw)


def _stored_manifest(verification: Verification) -> dict[str, Any]:
    with verification.manifest_file.open("rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def _stored_events(verification: Verification) -> list[dict[str, Any]]:
    with verification.log_file.open("rb") as handle:
        return [json.loads(line) for line in handle.read().splitlines() if line.strip()]


def case_graph(verification: Verification) -> dict[str, Any]:
    from cybercap.evidence.field.case import build_case_graph

    return build_case_graph(_stored_manifest(verification), _stored_events(verification))


@cache
def stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(STYLESHEET)
    return Path(str(found))


def custody_form_html(verification: Verification, *, events: list[CustodyEvent]) -> str:
    exhibit = verification.exhibit
    return render_to_string(
        "evidence/custody_form.html",
        {
            "case": exhibit.case,
            "exhibit": exhibit,
            "verification": verification,
            "summary": verification.manifest_summary,
            "events": events,
            "demo_data": exhibit.case.is_demo or demo_flag.demo_data_present(),
            "generated_at": timezone.now(),
            "handover_rows": range(4),
        },
    )


@collection_paused()  # many short-lived objects: see core.gcpause
def custody_form_pdf(verification: Verification, *, events: list[CustodyEvent]) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(filename=str(stylesheet_path()), font_config=fonts)
    html = HTML(string=custody_form_html(verification, events=events))
    rendered = html.render(stylesheets=[css], font_config=fonts)
    exhibit = verification.exhibit
    rendered.metadata.title = f"Chain of custody: {exhibit.case.reference} {exhibit.number}"
    rendered.metadata.authors = ["cybercap"]
    rendered.metadata.generator = "cybercap"
    stamp = verification.uploaded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rendered.metadata.created = stamp
    rendered.metadata.modified = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)
