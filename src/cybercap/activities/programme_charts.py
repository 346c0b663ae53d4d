"""Charts of the programme dashboard and the donor report: SVG drawn on the server.

Plain SVG with presentation attributes only (no style attribute, no script), so it passes the
strict Content-Security-Policy inline in the page and renders the same in WeasyPrint. Each chart
carries a <title> and <desc> stating its figures in words; the page shows the same figures in a
table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f5f8b", "#b3261e", "#2e7d32", "#8e6c00", "#6a3d9a", "#00838f", "#5d4037", "#546e7a")
WIDTH = 560
LABEL_WIDTH = 210
BAR_HEIGHT = 18
GAP = 6


def bar_chart(
    rows: Sequence[tuple[str, float]], *, title: str, chart_id: str, percent: bool = False
) -> SafeString:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return mark_safe("")
    top = max((value for _label, value in rows), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 60
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    words = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = 0 if top == 0 else max(value / top * plot, 0)
        shown = f"{value * 100:.0f} %" if percent else f"{value:g}"
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" '
            f'font-size="11" fill="#222">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{COLOURS[index % len(COLOURS)] if len(rows) <= 4 else COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR_HEIGHT - 5}" font-size="11" '
            f'fill="#222">{escape(shown)}</text>'
        )
        words.append(f"{label}: {shown}")
    svg = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape("; ".join(words))}</desc>'
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height}" stroke="#888"/>'
        + "".join(parts)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every label and figure above is escaped
