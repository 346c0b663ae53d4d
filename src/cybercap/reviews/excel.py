"""Excel in and out: the offline scoring workbook (export, then all-or-nothing import) and the
action-plan sheet that ministries start from.

The scoring workbook has a locked "Review" sheet (which review, when exported) and an
"Answers" sheet with one row per indicator: id, title and question locked; level, confidence,
evidence, references, comments and needs-discussion editable; and the time each answer was
last changed on the platform when the workbook was made. The import checks everything first
and writes nothing unless every row is good; each problem names sheet, row and column. An
answer changed on the platform after the export is never overwritten silently: the import
refuses the row unless asked to overwrite, and then says which rows it overwrote.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cybercap.network.models import AgencyKind
from cybercap.reviews import permissions, services
from cybercap.reviews.models import Answer, Confidence, Horizon, Indicator, Priority, Review

ANSWERS = "Answers"
META = "Review"
ACTION_PLAN = "Action plan"
NOT_APPLICABLE = "N/A"
COLUMNS = [
    # (header, answer field or None, editable, width)
    ("Indicator", "code", False, 14),
    ("Title", "title", False, 36),
    ("Question", "question", False, 60),
    ("Level", "level", True, 8),
    ("Confidence", "confidence", True, 12),
    ("Evidence", "evidence", True, 60),
    ("References", "references", True, 40),
    ("Comments", "comments", True, 40),
    ("Needs discussion", "needs_discussion", True, 10),
    ("Last changed on the platform", "updated_at", False, 24),
]
HEADERS = [c[0] for c in COLUMNS]
YES = {"yes", "y", "true", "1", "x"}
NO = {"", "no", "n", "false", "0"}
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
MAX_ROWS = 1000


class WorkbookError(Exception):
    """The workbook was refused; ``problems`` name sheet, row and column of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportResult:
    changed: list[str] = field(default_factory=list)  # indicator ids written
    unchanged: int = 0
    overwritten_newer: list[str] = field(default_factory=list)


def _xlsx(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _stamp(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else ""


def _parse_stamp(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


# --------------------------------------------------------------------------- export


def review_workbook(review: Review) -> bytes:
    """The offline scoring workbook of one review."""
    indicators = list(
        Indicator.objects.filter(framework_id=review.framework_id, retired=False).order_by(
            "position"
        )
    )
    answers = {a.indicator_id: a for a in Answer.objects.filter(review=review)}
    workbook = Workbook()
    meta = workbook.active
    assert meta is not None
    meta.title = META
    marking = f"TLP:{review.tlp}"
    rows = [
        ("Sensitivity", marking),
        ("Review id", review.pk),
        ("Country", review.country.code),
        ("Cycle", review.cycle),
        ("Framework", f"{review.framework.key} v{review.framework.version}"),
        ("Exported at", _stamp(timezone.now())),
        (
            "How to fill",
            "Fill the white cells of the Answers sheet: level 1 to 5 or N/A, confidence "
            "low, medium or high, evidence, references, comments, needs discussion yes or no. "
            "Grey cells are locked. Import the file back on the review's page.",
        ),
    ]
    for row in rows:
        meta.append(list(row))
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 80
    meta.protection.sheet = True

    sheet = workbook.create_sheet(ANSWERS)
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for indicator in indicators:
        answer = answers.get(indicator.pk)
        level: Any = ""
        if answer is not None:
            level = NOT_APPLICABLE if answer.not_applicable else (answer.level or "")
        sheet.append(
            [
                indicator.code,
                indicator.title,
                indicator.question,
                level,
                answer.confidence if answer else "",
                answer.evidence if answer else "",
                answer.references if answer else "",
                answer.comments if answer else "",
                ("yes" if answer.needs_discussion else "no") if answer else "no",
                _stamp(answer.updated_at) if answer else "",
            ]
        )
    for index, (_, _, editable, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        for row_number in range(2, len(indicators) + 2):
            cell = sheet.cell(row=row_number, column=index)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if editable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = LOCKED_FILL
    last = len(indicators) + 1
    levels = DataValidation(type="list", formula1='"1,2,3,4,5,N/A"', allow_blank=True)
    levels.add(f"D2:D{last}")
    confidence = DataValidation(type="list", formula1='"low,medium,high"', allow_blank=True)
    confidence.add(f"E2:E{last}")
    discuss = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    discuss.add(f"I2:I{last}")
    for validation in (levels, confidence, discuss):
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "D2"
    sheet.protection.sheet = True
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    return _xlsx(workbook)


def action_plan_workbook(review: Review) -> bytes:
    """The review's recommendations as an action-plan sheet, with empty columns to fill."""
    from cybercap.reviews.selectors import recommendations_for

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ACTION_PLAN
    marking = f"TLP:{review.tlp}"
    sheet.append([f"{marking} · Action plan: {review.country.name}, review {review.cycle}"])
    sheet.append([])
    headers = [
        "Recommendation",
        "Priority",
        "Horizon",
        "Responsible agency",
        "Linked indicators",
        "Topics",
        "Owner",
        "Due date",
        "Status",
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    priorities = dict(Priority.choices)
    horizons = dict(Horizon.choices)
    kinds = dict(AgencyKind.choices)
    for rec in recommendations_for(review):
        if rec.obsolete:
            continue
        sheet.append(
            [
                rec.text,
                str(priorities.get(rec.priority, rec.priority)),
                str(horizons.get(rec.horizon, rec.horizon)),
                str(kinds.get(rec.responsible, rec.responsible)),
                ", ".join(i.code for i in rec.indicators.all()),
                ", ".join(t.name for t in rec.topics.all()),
                "",
                "",
                "",
            ]
        )
    for letter, width in zip("ABCDEFGHI", (70, 10, 14, 28, 24, 30, 20, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    return _xlsx(workbook)


# --------------------------------------------------------------------------- import


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip() if not isinstance(value, str) else value.strip()


def review_import(
    *, by: Any, review: Review, data: bytes, overwrite_newer: bool = False
) -> ImportResult:
    """Read a filled scoring workbook back; all-or-nothing (see the module docstring)."""
    if not permissions.can_write(by, review):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise WorkbookError(["The file is not an Excel workbook (.xlsx)."]) from None
    problems: list[str] = []
    if META not in workbook.sheetnames or ANSWERS not in workbook.sheetnames:
        raise WorkbookError([f"The workbook needs the sheets {META!r} and {ANSWERS!r}."])
    meta = {_text(r[0]): r[1] for r in workbook[META].iter_rows(values_only=True) if r and r[0]}
    if str(meta.get("Review id")) != str(review.pk):
        raise WorkbookError(
            [f"Sheet {META!r}, row 2, column B: this workbook is for another review."]
        )
    sheet = workbook[ANSWERS]
    header = [_text(c) for c in next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))]
    if header[: len(HEADERS)] != HEADERS:
        raise WorkbookError([f"Sheet {ANSWERS!r}, row 1: the column headings were changed."])
    indicators = {
        i.code: i for i in Indicator.objects.filter(framework_id=review.framework_id, retired=False)
    }
    answers = {
        a.indicator.code: a
        for a in Answer.objects.filter(review=review).select_related("indicator")
    }
    seen: set[str] = set()
    planned: list[tuple[Indicator, dict[str, Any], bool]] = []
    unchanged = 0

    def say(row: int, column: int, message: str) -> None:
        letter = get_column_letter(column)
        problems.append(
            f"Sheet {ANSWERS!r}, row {row}, column {letter} ({HEADERS[column - 1]}): {message}"
        )

    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS:
            problems.append(f"Sheet {ANSWERS!r}: more than {MAX_ROWS} rows.")
            break
        cells = list(values) + [None] * (len(HEADERS) - len(values))
        if all(_text(v) == "" for v in cells):
            continue
        code = _text(cells[0])
        indicator = indicators.get(code)
        if indicator is None:
            say(number, 1, f"unknown indicator {code!r}")
            continue
        if code in seen:
            say(number, 1, f"{code} appears twice")
            continue
        seen.add(code)
        if _text(cells[1]) != indicator.title.strip():
            say(number, 2, "a locked cell was edited")
        if _text(cells[2]) != indicator.question.strip():
            say(number, 3, "a locked cell was edited")
        raw_level = _text(cells[3])
        level: int | None = None
        not_applicable = False
        if raw_level.upper() == NOT_APPLICABLE:
            not_applicable = True
        elif raw_level:
            try:
                level = int(float(raw_level))
                if str(level) != raw_level and float(raw_level) != level:
                    raise ValueError
            except ValueError:
                level = None
                say(number, 4, f"{raw_level!r} is not a level (1 to 5 or N/A)")
            else:
                if not 1 <= level <= 5:
                    say(number, 4, f"level {level} is out of range (1 to 5 or N/A)")
        confidence = _text(cells[4]).lower()
        if confidence not in ("", *Confidence.values):
            say(number, 5, f"{confidence!r} is not a confidence (low, medium or high)")
        discuss = _text(cells[8]).lower()
        if discuss not in YES | NO:
            say(number, 9, f"{discuss!r} is not yes or no")
        current = answers.get(code)
        exported = _parse_stamp(cells[9])
        if _text(cells[9]) and exported is None:
            say(number, 10, "a locked cell was edited")
        values_in: dict[str, Any] = {
            "level": level,
            "not_applicable": not_applicable,
            "confidence": confidence,
            "evidence": _text(cells[5]),
            "references": _text(cells[6]),
            "comments": _text(cells[7]),
            "needs_discussion": discuss in YES,
        }
        if current is None:
            same = not any(values_in[k] for k in values_in)
        else:
            same = all(getattr(current, k) == v for k, v in values_in.items())
        if same:
            unchanged += 1
            continue
        newer = current is not None and (exported is None or current.updated_at > exported)
        if newer and not overwrite_newer:
            assert current is not None
            say(
                number,
                10,
                f"{code} was changed on the platform at {_stamp(current.updated_at)}, after "
                "this workbook was made; export it again or choose to overwrite newer answers",
            )
            continue
        planned.append((indicator, values_in, newer))
    if problems:
        raise WorkbookError(problems)
    result = ImportResult(unchanged=unchanged)
    with transaction.atomic():
        for indicator, values_in, newer in planned:
            services.answer_save(by=by, review=review, indicator=indicator, **values_in)
            result.changed.append(indicator.code)
            if newer:
                result.overwritten_newer.append(indicator.code)
    return result
