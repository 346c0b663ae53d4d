"""The report as an editable Word document (python-docx).

Same sections and content as the web page and the PDF, written with Word's own styles
(Title, Heading 1 to 3, Table Grid, Caption) so that a ministry can restyle, edit and reuse it.
The TLP marking (and, for demo data, the synthetic notice) sits in the header and footer of
every page; the charts are PNG pictures with their text alternative as the picture's
description and as a caption.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from cybercap.network.tlp import TLP, TLP_MEANING
from cybercap.reviews.report import labels
from cybercap.reviews.report.charts import Chart, report_charts
from cybercap.reviews.report.data import AnswerStatus, Coverage, ReportData

SCRIPT_FONT = "Noto Sans"
COMPLEX_SCRIPT_FONT = "Noto Sans Thai"  # Word draws Thai, Khmer, Lao, Myanmar as complex script


def _marking(data: ReportData) -> str:
    parts = [f"TLP:{data.tlp}"]
    if data.synthetic:
        parts.append(str(labels.SYNTHETIC))
    return "  ·  ".join(parts)


def _setup(document: DocumentType, data: ReportData) -> None:
    normal = document.styles["Normal"]
    normal.font.name = SCRIPT_FONT
    normal.font.size = Pt(10)
    fonts = normal.element.rPr.rFonts
    fonts.set(qn("w:cs"), COMPLEX_SCRIPT_FONT)
    fonts.set(qn("w:eastAsia"), SCRIPT_FONT)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    for part in (section.header, section.footer):
        paragraph = part.paragraphs[0]
        run = paragraph.add_run(_marking(data))
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x5C, 0x32, 0x00)
    properties = document.core_properties
    properties.title = f"National Cyber Review of {data.country_name}, {data.cycle}"
    properties.author = "cybercap"
    properties.last_modified_by = "cybercap"
    properties.created = data.generated_at.astimezone(UTC)
    properties.modified = data.generated_at.astimezone(UTC)
    properties.revision = 1
    properties.keywords = f"TLP:{data.tlp}"
    properties.category = str(labels.SYNTHETIC) if data.synthetic else ""


def _table(
    document: DocumentType,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float] | None = None,
) -> Table:
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    if widths:
        for column, width in zip(table.columns, widths, strict=True):
            for cell in column.cells:
                cell.width = Cm(width)
    return table


def _picture(document: DocumentType, chart: Chart) -> None:
    document.add_picture(io.BytesIO(chart.content), width=Cm(15.5))
    shape = document.inline_shapes[-1]
    doc_pr = shape._inline.docPr  # the picture's alternative text lives on wp:docPr
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.title)
    document.add_paragraph(chart.alt, style="Caption")


def _page_break(document: DocumentType) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _confidence(value: str | None) -> str:
    return str(labels.CONFIDENCE[value]) if value else labels.EMPTY


def render_report_docx(data: ReportData, *, charts: dict[str, Chart] | None = None) -> bytes:
    """The .docx bytes of a report."""
    charts = charts if charts is not None else report_charts(data, "png")
    document = Document()
    _setup(document, data)
    sections = labels.SECTIONS

    # Cover
    document.add_paragraph(f"TLP:{data.tlp}  {TLP_MEANING[TLP(data.tlp)]}")
    if data.synthetic:
        document.add_paragraph(str(labels.SYNTHETIC_LONG))
    document.add_paragraph(_("National Cyber Review"), style="Subtitle")
    document.add_heading(data.country_name, level=0)
    if data.profile.local_name and data.profile.local_name != data.country_name:
        document.add_paragraph(data.profile.local_name, style="Subtitle")
    _table(
        document,
        [_("Item"), _("Value")],
        [
            (_("Review cycle"), data.cycle),
            (
                _("Framework"),
                f"{data.framework_title}, "
                + _("version %(version)s") % {"version": data.framework_version},
            ),
            (_("Status"), labels.STATE[data.state]),
            (_("Generated"), date_format(localtime(data.generated_at), "j F Y")),
            (_("Overall level"), f"{labels.score_text(data.overall.value)} / 5"),
        ],
    )
    _page_break(document)

    # Executive summary
    document.add_heading(str(sections["summary"]), level=1)
    document.add_paragraph(data.executive_summary)
    _picture(document, charts["overview"])
    _table(
        document,
        [_("Pillar"), _("Level"), _("Coverage"), _("Confidence")],
        [
            *(
                (
                    p.name,
                    labels.score_text(p.score.value),
                    _percent(p.score.coverage),
                    _confidence(p.score.confidence),
                )
                for p in data.pillars
            ),
            (
                _("Overall"),
                labels.score_text(data.overall.value),
                _percent(data.overall.coverage),
                _confidence(data.overall.confidence),
            ),
        ],
    )

    # Methodology
    document.add_heading(str(sections["methodology"]), level=1)
    document.add_paragraph(data.methodology)
    if data.levels:
        _table(
            document,
            [_("Level"), _("Name"), _("In short")],
            data.levels,
            widths=(1.6, 3.0, 12.8),
        )

    # Country profile
    document.add_heading(str(sections["profile"]), level=1)
    profile = data.profile
    facts: list[tuple[str, object]] = []
    if profile.official_name:
        facts.append((_("Official name"), profile.official_name))
    if profile.local_name:
        facts.append((_("Name in national script"), profile.local_name))
    if profile.region:
        facts.append((_("Region"), profile.region))
    if profile.asean_member_since:
        facts.append((_("ASEAN member since"), profile.asean_member_since))
    if profile.population:
        facts.append((_("Population"), profile.population))
    facts.append((_("Agencies on the platform"), profile.agencies_count))
    facts.append((_("Consultations held"), profile.consultations))
    if profile.reviewers:
        facts.append((_("Reviewers"), ", ".join(profile.reviewers)))
    _table(document, [_("Item"), _("Value")], facts)
    if profile.agencies:
        document.add_heading(_("Agencies consulted"), level=2)
        _table(
            document,
            [_("Agency"), _("Acronym"), _("Type")],
            [(a.name, a.acronym, a.kind_label) for a in profile.agencies],
        )
    if profile.key_laws:
        document.add_heading(_("Key laws"), level=2)
        for law in profile.key_laws:
            document.add_paragraph(law, style="List Bullet")

    # Findings by pillar
    _page_break(document)
    document.add_heading(str(sections["findings"]), level=1)
    for pillar in data.pillars:
        document.add_heading(pillar.name, level=2)
        document.add_paragraph(
            _("Level %(level)s of 5; %(coverage)s of applicable indicators answered.")
            % {
                "level": labels.score_text(pillar.score.value),
                "coverage": _percent(pillar.score.coverage),
            }
        )
        if pillar.findings:
            document.add_paragraph(pillar.findings)
        _picture(document, charts[pillar.key])
        _table(
            document,
            [_("Area"), _("Level"), _("Answered"), _("Below target")],
            [
                (
                    a.name,
                    labels.score_text(a.score.value),
                    f"{a.score.answered} / {a.score.applicable}",
                    ", ".join(i.id for i in a.indicators if (i.gap or 0) > 0),
                )
                for a in pillar.areas
            ],
        )

    # Legislation map
    _page_break(document)
    document.add_heading(str(sections["legislation"]), level=1)
    counts = data.coverage_counts()
    document.add_paragraph(
        _(
            "Provisions covered: %(covered)s; partly covered: %(partly)s; missing: %(missing)s; "
            "not assessed: %(unassessed)s."
        )
        % {
            "covered": counts[Coverage.COVERED],
            "partly": counts[Coverage.PARTLY],
            "missing": counts[Coverage.MISSING],
            "unassessed": counts[Coverage.NOT_ASSESSED],
        }
    )
    document.add_paragraph(
        _(
            "A provision is covered when every answered indicator that tests it is at level 3 or "
            "above, partly covered when the lowest is at level 2, and missing when the lowest is "
            "at level 1. It is not assessed when no indicator that tests it has a level."
        )
    )
    chapter_cited = data.legislation_citations()
    for title, rows in data.legislation_by_instrument():
        document.add_heading(title, level=2)
        if title in chapter_cited:
            document.add_paragraph(labels.citation_note(chapter_cited[title]))
        _table(
            document,
            [_("Provision"), _("Title"), _("Status"), _("Indicators")],
            [
                (
                    row.article,
                    row.title,
                    labels.COVERAGE[row.status],
                    ", ".join(
                        f"{c.id} ({c.level})"
                        if c.level is not None
                        else f"{c.id} ({labels.NOT_APPLICABLE})"
                        if c.status == AnswerStatus.NOT_APPLICABLE
                        else f"{c.id} ({labels.UNANSWERED})"
                        for c in row.indicators
                    )
                    or labels.EMPTY,
                )
                for row in rows
            ],
            widths=(2.0, 7.0, 2.8, 5.6),
        )

    # Recommendations
    _page_break(document)
    document.add_heading(str(sections["recommendations"]), level=1)
    groups = data.recommendations_by_priority()
    if not groups:
        document.add_paragraph(_("No recommendations: every answered indicator meets its target."))
    for priority, items in groups:
        document.add_heading(str(labels.PRIORITY_HEADING[priority]), level=2)
        _table(
            document,
            [_("Recommendation"), _("Horizon"), _("Responsible"), _("Indicators")],
            [
                (r.text, labels.HORIZON[r.horizon], r.responsible_label, ", ".join(r.indicators))
                for r in items
            ],
            widths=(9.6, 2.2, 3.0, 2.6),
        )

    # Progress
    progress = data.progress
    if progress is not None:
        _page_break(document)
        document.add_heading(str(sections["progress"]), level=1)
        document.add_paragraph(
            _(
                "Compared with the %(previous)s cycle: %(improved)s indicators improved, "
                "%(declined)s declined and %(unchanged)s stayed at the same level."
            )
            % {
                "previous": progress.previous_cycle,
                "improved": progress.improved,
                "declined": progress.declined,
                "unchanged": progress.unchanged,
            }
        )
        document.add_paragraph(
            _(
                "The table lists the indicators whose level changed; the annex gives both "
                "levels of every indicator."
            )
        )
        changed = [
            r
            for r in progress.rows
            if r.change != 0 and not (r.previous_level is None and r.current_level is None)
        ]
        if changed:
            _table(
                document,
                [
                    _("Indicator"),
                    _("Title"),
                    str(progress.previous_cycle),
                    str(data.cycle),
                    _("Change"),
                ],
                [
                    (
                        r.indicator_id,
                        r.title,
                        r.previous_level or labels.EMPTY,
                        r.current_level or labels.EMPTY,
                        labels.EMPTY if r.change is None else f"{r.change:+d}",
                    )
                    for r in changed
                ],
            )

    # Annex
    _page_break(document)
    document.add_heading(str(sections["annex"]), level=1)
    previous = {r.indicator_id: r.previous_level for r in progress.rows} if progress else None
    for pillar in data.pillars:
        document.add_heading(pillar.name, level=2)
        header = [_("Indicator"), _("Title")]
        if progress is not None:
            header.append(str(progress.previous_cycle))
        header += [_("Level"), _("Target"), _("Gap"), _("Confidence"), _("Evidence")]
        annex_rows = []
        for i in pillar.indicators:
            row: list[object] = [i.id, i.title]
            if previous is not None:
                row.append(previous.get(i.id) or labels.EMPTY)
            row += [
                labels.level_text(i),
                i.target,
                labels.EMPTY if i.gap is None else i.gap,
                _confidence(i.confidence),
                i.evidence_summary,
            ]
            annex_rows.append(row)
        _table(document, header, annex_rows)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
