"""The report as HTML: a page inside the site layout, or a standalone document (file, PDF).

Both use the templates under ``reviews/report/``; :func:`report_context` prepares what they
show from a :class:`~.data.ReportData` (labels translated, numbers formatted, charts drawn),
so the templates hold no logic beyond loops.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from cybercap.reviews.report import labels
from cybercap.reviews.report.charts import Chart, report_charts
from cybercap.reviews.report.data import AnswerStatus, Coverage, ReportData

PAGE_TEMPLATE = "reviews/report/report_page.html"
DOCUMENT_TEMPLATE = "reviews/report/report_document.html"
STYLESHEET = "reviews/report.css"


@cache
def stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(STYLESHEET)
    return Path(str(found))


def stylesheet_text() -> str:
    return stylesheet_path().read_text(encoding="utf-8")


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def report_context(data: ReportData, charts: dict[str, Chart] | None = None) -> dict[str, Any]:
    """The template context of a report; ``charts`` (SVG) are drawn when not given."""
    charts = charts if charts is not None else report_charts(data, "svg")
    previous = (
        {r.indicator_id: r.previous_level for r in data.progress.rows} if data.progress else {}
    )
    pillars = []
    for pillar in data.pillars:
        pillars.append(
            {
                "data": pillar,
                "score": labels.score_text(pillar.score.value),
                "coverage": _percent(pillar.score.coverage),
                "confidence": labels.CONFIDENCE[pillar.score.confidence]
                if pillar.score.confidence
                else labels.EMPTY,
                "chart": charts[pillar.key],
                "areas": [
                    {
                        "data": area,
                        "score": labels.score_text(area.score.value),
                        "below": [i.id for i in area.indicators if (i.gap or 0) > 0],
                    }
                    for area in pillar.areas
                ],
                "indicators": [
                    {
                        "data": i,
                        "level": labels.level_text(i),
                        "gap": labels.EMPTY if i.gap is None else i.gap,
                        "previous": previous.get(i.id) or labels.EMPTY,
                        "evidence": i.evidence_summary or labels.EMPTY,
                        "confidence": labels.CONFIDENCE[i.confidence]
                        if i.confidence
                        else labels.EMPTY,
                    }
                    for i in pillar.indicators
                ],
            }
        )
    chapter_cited = data.legislation_citations()
    legislation = [
        (
            title,
            [
                {
                    "row": row,
                    "label": labels.COVERAGE[row.status],
                    "indicators": ", ".join(
                        f"{c.id} ({c.level})"
                        if c.level is not None
                        else f"{c.id} ({labels.NOT_APPLICABLE})"
                        if c.status == AnswerStatus.NOT_APPLICABLE
                        else f"{c.id} ({labels.UNANSWERED})"
                        for c in row.indicators
                    )
                    or labels.EMPTY,
                }
                for row in rows
            ],
            labels.citation_note(chapter_cited[title]) if title in chapter_cited else "",
        )
        for title, rows in data.legislation_by_instrument()
    ]
    counts = data.coverage_counts()
    recommendations = [
        {
            "priority": priority,
            "heading": labels.PRIORITY_HEADING[priority],
            "items": [{"data": r, "horizon": labels.HORIZON[r.horizon]} for r in items],
        }
        for priority, items in data.recommendations_by_priority()
    ]
    progress_rows = []
    if data.progress is not None:
        for row in data.progress.rows:
            change = row.change
            if change == 0 or (row.previous_level is None and row.current_level is None):
                continue
            progress_rows.append(
                {
                    "row": row,
                    "previous": row.previous_level or labels.EMPTY,
                    "current": row.current_level or labels.EMPTY,
                    "change": labels.EMPTY if change is None else f"{change:+d}",
                }
            )
    return {
        "data": data,
        "charts": charts,
        "pillars": pillars,
        "state_label": labels.STATE[data.state],
        "overall_text": labels.score_text(data.overall.value),
        "overall_coverage": _percent(data.overall.coverage),
        "overall_confidence": labels.CONFIDENCE[data.overall.confidence]
        if data.overall.confidence
        else labels.EMPTY,
        "legislation": legislation,
        "coverage_counts": {status.value: counts[status] for status in Coverage},
        "recommendations": recommendations,
        "progress_rows": progress_rows,
    }


def render_report_document(
    data: ReportData,
    *,
    charts: dict[str, Chart] | None = None,
    stylesheet_href: str | None = None,
) -> str:
    """A standalone HTML document of the report.

    Without ``stylesheet_href`` the stylesheet is linked as a data URI, so the file stands alone
    (no inline style element or attribute).
    Pass ``stylesheet_href=""`` to leave the stylesheet out (the PDF renderer loads it itself).
    """
    if stylesheet_href is None:
        encoded = base64.b64encode(stylesheet_text().encode("utf-8")).decode("ascii")
        stylesheet_href = f"data:text/css;base64,{encoded}"
    context = report_context(data, charts)
    context["stylesheet_href"] = stylesheet_href
    return render_to_string(DOCUMENT_TEMPLATE, context)
