"""The donor report: the programme indicators as an Excel workbook and as a PDF.

Both are built from one :class:`~cybercap.activities.programme.Indicators` (the dashboard's
figures for the same scope and phase), so the page, the workbook and the PDF always agree. The
workbook has one sheet per section, each with a header row, frozen below it, and numbers stored
as numbers (rates as fractions with a percent format) so the donor can compute with them.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from cybercap.activities.letters import PROGRAMME_NAME
from cybercap.activities.programme import Indicators
from cybercap.activities.programme_charts import bar_chart
from cybercap.core.gcpause import collection_paused

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STYLESHEET = Path(__file__).parent / "templates" / "activities" / "print" / "donor_report.css"
# The PDF lists activities one by one up to this many; beyond, a printed list stops being read
# (and costs WeasyPrint a second per few hundred rows): it gives the counts per phase and type
# and points to the workbook, which always lists every activity.
PDF_ACTIVITY_LIMIT = 150
PERCENT = "0.0%"
DECIMAL = "0.00"


class ReportError(Exception):
    pass


def scope_label(ind: Indicators) -> str:
    phase = _("phase %(n)d") % {"n": ind.phase} if ind.phase is not None else _("all phases")
    if ind.country_slice is not None:
        return _("%(phase)s, participants of %(countries)s") % {
            "phase": phase,
            "countries": ", ".join(ind.country_slice) or "-",
        }
    return phase


def summary_rows(ind: Indicators) -> list[tuple[str, Any, str]]:
    """(indicator, value, number format) for the summary sheet and the PDF's first table."""
    gain = ind.gain_overall
    rows: list[tuple[str, Any, str]] = [
        (_("Scope"), scope_label(ind), ""),
        (_("Activities"), ind.activities, "0"),
        (_("Activities delivered"), ind.delivered, "0"),
        (_("Unique participants"), ind.participants, "0"),
        (_("Participations (person x activity)"), ind.participations, "0"),
        (_("Trainers and experts"), ind.trainers, "0"),
        (_("Countries represented"), ind.countries, "0"),
        (_("Female participants (share)"), ind.female_share, PERCENT),
        (_("Attendance rate"), ind.attendance_rate, PERCENT),
    ]
    rows += [
        (_("Matched pre/post pairs"), gain.pairs if gain else 0, "0"),
        (_("Drop-outs (no matched pair)"), gain.dropouts if gain else 0, "0"),
        (_("Mean absolute gain"), gain.mean_gain if gain else None, PERCENT),
        (_("Mean normalised gain (Hake)"), gain.mean_normalised_gain if gain else None, DECIMAL),
        (_("Perfect pre-tests (gain undefined)"), gain.undefined if gain else 0, "0"),
    ]
    if ind.feedback is not None:
        rows += [
            (_("Feedback responses"), ind.feedback.responses, "0"),
            (_("Mean feedback rating (1 to 5)"), ind.feedback.mean_rating, DECIMAL),
        ]
    if ind.demo:
        rows.append((_("Note"), _("Includes synthetic demo data."), ""))
    return rows


def _sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str] = (),
    row_formats: Sequence[Sequence[str]] | None = None,
) -> None:
    """One sheet, written row by row (a write-only workbook: at 100 times the demo data the
    activity sheet has tens of thousands of cells). Numbers keep their formats: ``formats``
    per column, or ``row_formats`` per cell."""
    sheet = book.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        longest = max(
            [len(str(header))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F5F8B")
    top = Alignment(vertical="top", wrap_text=True)
    heading = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill, cell.alignment = bold, fill, top
        heading.append(cell)
    sheet.append(heading)
    for n, row in enumerate(rows):
        wanted = row_formats[n] if row_formats is not None else formats
        if not any(wanted):
            sheet.append(list(row))
            continue
        out: list[Any] = []
        for value, fmt in zip(row, list(wanted) + [""] * (len(row) - len(wanted)), strict=True):
            if fmt:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)


def _gain_rows(groups: Sequence[Any]) -> list[list[Any]]:
    return [
        [
            g.label,
            g.pairs,
            g.dropouts,
            g.mean_pre,
            g.mean_post,
            g.mean_gain,
            g.mean_normalised_gain,
            g.undefined,
        ]
        for g in groups
    ]


def render_xlsx(ind: Indicators) -> bytes:
    book = Workbook(write_only=True)
    rows = summary_rows(ind)
    _sheet(
        book,
        _("Summary"),
        [_("Indicator"), _("Value")],
        [r[:2] for r in rows],
        row_formats=[("", fmt) for _label, _value, fmt in rows],
    )
    _sheet(
        book,
        _("Phases"),
        [
            _("Phase"),
            _("Activities"),
            _("Delivered"),
            _("Unique participants"),
            _("Participations"),
            _("Countries"),
            _("Trainers and experts"),
            _("Attendance rate"),
        ],
        [
            [
                p.phase,
                p.activities,
                p.delivered,
                p.participants,
                p.participations,
                p.countries,
                p.trainers,
                p.attendance_rate,
            ]
            for p in ind.phases
        ],
        ["0", "0", "0", "0", "0", "0", "0", PERCENT],
    )
    _sheet(
        book,
        _("Activities"),
        [
            _("Title"),
            _("Type"),
            _("Phase"),
            _("First day"),
            _("Last day"),
            _("City"),
            _("Host country"),
            _("Status"),
            _("Topics"),
            _("Sessions"),
            _("Participants"),
            _("Female participants"),
            _("Attendance rate"),
        ],
        [
            [
                r.title,
                r.kind_label,
                r.phase,
                r.start_date,
                r.end_date,
                r.city,
                r.host_country,
                r.status_label,
                ", ".join(r.topics),
                r.sessions,
                r.participants,
                r.female,
                r.attendance_rate,
            ]
            for r in ind.activity_rows
        ],
        ["", "", "0", "yyyy-mm-dd", "yyyy-mm-dd", "", "", "", "", "0", "0", "0", PERCENT],
    )
    _sheet(
        book, _("By type"), [_("Type"), _("Activities")], [[r.label, r.value] for r in ind.by_type]
    )
    _sheet(
        book,
        _("By topic"),
        [_("Topic"), _("Activities")],
        [[r.label, r.value] for r in ind.by_topic],
    )
    _sheet(
        book,
        _("By country"),
        [_("Code"), _("Country"), _("Unique participants"), _("Participations")],
        [[r.key, r.label, r.value, r.extra] for r in ind.by_country],
    )
    _sheet(
        book,
        _("By agency type"),
        [_("Agency type"), _("Unique participants"), _("Participations")],
        [[r.label, r.value, r.extra] for r in ind.by_agency_type],
    )
    _sheet(
        book,
        _("By gender"),
        [_("Gender"), _("Unique participants"), _("Participations"), _("Share")],
        [
            [r.label, r.value, r.extra, r.value / ind.participants if ind.participants else None]
            for r in ind.by_gender
        ],
        ["", "0", "0", PERCENT],
    )
    gain_headers = [
        _("Group"),
        _("Matched pairs"),
        _("Drop-outs"),
        _("Mean pre-test"),
        _("Mean post-test"),
        _("Mean absolute gain"),
        _("Mean normalised gain"),
        _("Undefined (perfect pre-test)"),
    ]
    gain_formats = ["", "0", "0", PERCENT, PERCENT, PERCENT, DECIMAL, "0"]
    _sheet(book, _("Learning gain"), gain_headers, _gain_rows(ind.gain_groups), gain_formats)
    if ind.feedback is not None:
        _sheet(
            book,
            _("Feedback"),
            [_("Question"), _("Mean rating (1 to 5)"), _("Responses")],
            [[label, mean, n] for label, mean, n in ind.feedback.questions],
            ["", DECIMAL, "0"],
        )
    book.properties.title = str(PROGRAMME_NAME) + ": " + _("donor report")
    book.properties.creator = "cybercap"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def charts(ind: Indicators) -> dict[str, Any]:
    return {
        "by_type": bar_chart(
            [(r.label, r.value) for r in ind.by_type],
            title=_("Activities by type"),
            chart_id="c-type",
        ),
        "by_topic": bar_chart(
            [(r.label, r.value) for r in ind.by_topic[:12]],
            title=_("Activities by topic"),
            chart_id="c-topic",
        ),
        "by_country": bar_chart(
            [(r.label, r.value) for r in ind.by_country],
            title=_("Unique participants per country"),
            chart_id="c-country",
        ),
        "by_agency": bar_chart(
            [(r.label, r.value) for r in ind.by_agency_type],
            title=_("Unique participants per agency type"),
            chart_id="c-agency",
        ),
        "by_gender": bar_chart(
            [(r.label, r.value) for r in ind.by_gender],
            title=_("Unique participants by gender"),
            chart_id="c-gender",
        ),
        "gain_by_topic": bar_chart(
            [(g.label, g.mean_gain) for g in ind.gain_by_topic if g.mean_gain is not None],
            title=_("Mean absolute learning gain by topic"),
            chart_id="c-gain",
            percent=True,
        ),
    }


def render_pdf(ind: Indicators) -> bytes:
    listed = len(ind.activity_rows) <= PDF_ACTIVITY_LIMIT
    per_phase_type = Counter((r.phase, r.kind_label) for r in ind.activity_rows)
    context = {
        "ind": ind,
        "list_activities": listed,
        "activity_limit": PDF_ACTIVITY_LIMIT,
        "per_phase_type": [
            {"phase": phase, "kind": kind, "count": n}
            for (phase, kind), n in sorted(per_phase_type.items())
        ],
        "programme_name": PROGRAMME_NAME,
        "scope": scope_label(ind),
        "summary": summary_rows(ind),
        "charts": charts(ind),
        "generated": timezone.now(),
    }
    document = render_to_string("activities/print/donor_report.html", context)
    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=document).render(stylesheets=[css], font_config=fonts)
    rendered.metadata.title = str(PROGRAMME_NAME) + ": " + _("donor report")
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)


@collection_paused()  # many short-lived objects: see core.gcpause
def render(ind: Indicators, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(ind)
    if fmt == "pdf":
        return render_pdf(ind)
    raise ReportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def filename(ind: Indicators, fmt: str) -> str:
    phase = f"-phase-{ind.phase}" if ind.phase is not None else ""
    country = f"-{'-'.join(ind.country_slice)}" if ind.country_slice else ""
    return f"donor-report{phase}{country}.{fmt}"
