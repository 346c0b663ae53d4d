"""One entry point for every form of the report, and a cache of rendered reports.

A rendered report is cached under a fingerprint of its content: the report data (everything but
the generation time), the form, the active language and time zone (the Word cover date is
localised) and the renderer's own files (templates, stylesheet, renderer modules). The same
review, unchanged, is therefore rendered once; any change to an answer, recommendation, label
or template gives a new fingerprint. A cached file keeps the generation date of its first
rendering, which is when its content was produced.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from django.core.cache import cache as django_cache
from django.utils import translation
from django.utils.timezone import get_current_timezone_name

from cybercap.core.gcpause import collection_paused
from cybercap.reviews.report.charts import report_charts
from cybercap.reviews.report.data import ReportData

ReportFormat = Literal["pdf", "docx", "html"]
FORMATS: tuple[ReportFormat, ...] = ("pdf", "docx", "html")
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def render_report(data: ReportData, fmt: ReportFormat) -> bytes:
    """The report in one form: a PDF, a Word document or a standalone HTML file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    # A report makes about a million short-lived objects: see core.gcpause.
    with collection_paused():
        return _render(data, fmt)


def _render(data: ReportData, fmt: ReportFormat) -> bytes:
    if fmt == "pdf":
        from cybercap.reviews.report.pdf import render_report_pdf

        return render_report_pdf(data, charts=report_charts(data, "svg"))
    if fmt == "docx":
        from cybercap.reviews.report.docx import render_report_docx

        return render_report_docx(data, charts=report_charts(data, "png"))
    if fmt == "html":
        from cybercap.reviews.report.html import render_report_document

        return render_report_document(data, charts=report_charts(data, "svg")).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}")


def report_filename(data: ReportData, fmt: ReportFormat) -> str:
    """``ncr-TH-2024-final.pdf``: country, cycle and state, ASCII only."""
    return f"ncr-{data.country_code}-{data.cycle}-{data.state.value}.{fmt}"


CACHE_SECONDS = 7 * 24 * 3600
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@cache
def renderer_version() -> str:
    """A digest of the files that shape a rendered report, so that a deploy invalidates."""
    package = Path(__file__).resolve().parent
    app = package.parent
    files = sorted(
        [
            *package.glob("*.py"),
            *(app / "templates" / "reviews" / "report").glob("*.html"),
            app / "static" / "reviews" / "report.css",
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def report_fingerprint(data: ReportData, fmt: ReportFormat) -> str:
    """The cache key of one rendered form of a report (see the module docstring)."""
    digest = hashlib.sha256()
    for part in (
        fmt,
        translation.get_language() or "",
        get_current_timezone_name(),
        renderer_version(),
        repr(replace(data, generated_at=_EPOCH)),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return f"reviews:report:{digest.hexdigest()}"


def render_report_cached(data: ReportData, fmt: ReportFormat) -> bytes:
    """:func:`render_report`, rendered once per distinct content and kept in the cache."""
    key = report_fingerprint(data, fmt)
    content = django_cache.get(key)
    if isinstance(content, bytes):
        return content
    content = render_report(data, fmt)
    django_cache.set(key, content, CACHE_SECONDS)
    return content
