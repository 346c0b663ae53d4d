"""The report as PDF: WeasyPrint renders the same templates as the web page.

The charts are SVG data URIs; the stylesheet's print rules put the TLP marking (and, for demo
data, the synthetic notice) in the margin of every page. Noto fonts cover the Thai, Khmer,
Lao, Myanmar and Vietnamese scripts of country and agency names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from cybercap.reviews.report.charts import Chart
from cybercap.reviews.report.data import ReportData
from cybercap.reviews.report.html import render_report_document, stylesheet_path


def _w3c_date(moment: datetime) -> str:
    """The W3C date WeasyPrint expects for PDF metadata, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_report_pdf(data: ReportData, *, charts: dict[str, Chart] | None = None) -> bytes:
    """The PDF bytes of a report; deterministic for the same data (dates come from the data)."""
    # The stylesheet is passed to WeasyPrint directly rather than linked from the document.
    document = render_report_document(data, charts=charts, stylesheet_href="")
    fonts = FontConfiguration()
    css = CSS(filename=str(stylesheet_path()), font_config=fonts)
    html = HTML(string=document, base_url=str(stylesheet_path().parent))
    rendered = html.render(stylesheets=[css], font_config=fonts)
    title = f"National Cyber Review of {data.country_name}, {data.cycle}"
    rendered.metadata.title = title
    rendered.metadata.authors = ["cybercap"]
    rendered.metadata.created = _w3c_date(data.generated_at)
    rendered.metadata.modified = _w3c_date(data.generated_at)
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)
