"""One entry point for every form of the report, and the command line's choice of review."""

from __future__ import annotations

from typing import Literal

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
