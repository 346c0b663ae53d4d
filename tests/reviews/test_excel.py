"""Excel: the offline scoring workbook round trip, bad workbooks refused with precise messages
and nothing changed, newer answers never overwritten silently, and the action-plan sheet."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from cybercap.reviews import excel, services
from cybercap.reviews.models import Answer, Indicator, Review
from tests.conftest import login
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned() -> Any:
    return reviewer("excel-reviewer")


@pytest.fixture
def review(make_review: Any, thailand: Any, assigned: Any) -> Review:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    services.answer_save(by=assigned, review=review, indicator=indicator, level=2, evidence="Old")
    return review


def _rows(workbook: Workbook) -> dict[str, int]:
    sheet = workbook[excel.ANSWERS]
    return {str(sheet.cell(row=r, column=1).value): r for r in range(2, sheet.max_row + 1)}


def _edit(data: bytes, changes: dict[tuple[str, str], Any]) -> bytes:
    """Set cells by (indicator id, column heading)."""
    workbook = load_workbook(io.BytesIO(data))
    rows = _rows(workbook)
    sheet = workbook[excel.ANSWERS]
    for (code, heading), value in changes.items():
        sheet.cell(row=rows[code], column=excel.HEADERS.index(heading) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _snapshot(review: Review) -> list[tuple[Any, ...]]:
    return list(
        Answer.objects.filter(review=review)
        .order_by("indicator__code")
        .values_list("indicator__code", "level", "not_applicable", "confidence", "evidence")
    )


def test_the_workbook_has_every_indicator_with_locked_and_open_cells(review: Review) -> None:
    workbook = load_workbook(io.BytesIO(excel.review_workbook(review)))
    assert workbook.sheetnames == ["Review", "Answers"]
    sheet = workbook["Answers"]
    assert [c.value for c in sheet[1]] == excel.HEADERS
    assert sheet.max_row == 65
    rows = _rows(workbook)
    row = rows["INS-STRAT-01"]
    assert sheet.cell(row=row, column=4).value == 2
    assert sheet.cell(row=row, column=6).value == "Old"
    assert sheet.protection.sheet is True
    assert sheet.cell(row=row, column=2).protection.locked is True
    assert sheet.cell(row=row, column=4).protection.locked is False
    assert workbook["Review"]["B1"].value == "TLP:AMBER"
    assert workbook["Review"]["B2"].value == review.pk


def test_a_filled_workbook_comes_back(review: Review, assigned: Any) -> None:
    data = _edit(
        excel.review_workbook(review),
        {
            ("INS-STRAT-01", "Level"): 3,
            ("INS-STRAT-01", "Evidence"): "Strategy adopted in 2023.",
            ("LEG-PROC-02", "Level"): "N/A",
            ("LEG-PROC-02", "Comments"): "No such power in this system.",
            ("INS-STRAT-02", "Level"): 1,
            ("INS-STRAT-02", "Confidence"): "low",
            ("INS-STRAT-02", "Needs discussion"): "yes",
        },
    )
    result = excel.review_import(by=assigned, review=review, data=data)
    assert sorted(result.changed) == ["INS-STRAT-01", "INS-STRAT-02", "LEG-PROC-02"]
    assert (result.unchanged, result.overwritten_newer) == (61, [])
    assert _snapshot(review) == [
        ("INS-STRAT-01", 3, False, "", "Strategy adopted in 2023."),
        ("INS-STRAT-02", 1, False, "low", ""),
        ("LEG-PROC-02", None, True, "", ""),
    ]
    assert Answer.objects.get(review=review, indicator__code="INS-STRAT-02").needs_discussion
    # Importing the same file again changes nothing.
    again = excel.review_import(by=assigned, review=review, data=excel.review_workbook(review))
    assert (again.changed, again.unchanged) == ([], 64)


def test_bad_workbooks_are_refused_with_precise_messages_and_nothing_changes(
    review: Review, assigned: Any
) -> None:
    before = _snapshot(review)
    data = excel.review_workbook(review)
    workbook = load_workbook(io.BytesIO(data))
    rows = _rows(workbook)
    sheet = workbook[excel.ANSWERS]
    sheet.cell(row=rows["INS-STRAT-02"], column=4, value=7)
    sheet.cell(row=rows["INS-STRAT-02"], column=5, value="certain")
    sheet.cell(row=rows["LEG-PROC-02"], column=2, value="A better title")
    sheet.cell(row=rows["LEG-PROC-02"], column=4, value=3)  # a good row: not written either
    sheet.cell(row=rows["INS-STRAT-01"], column=1, value="XXX-YY-01")
    sheet.cell(row=rows["INS-STRAT-01"], column=4, value=4)
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(excel.WorkbookError) as caught:
        excel.review_import(by=assigned, review=review, data=out.getvalue())
    r1, r2, r3 = rows["INS-STRAT-01"], rows["INS-STRAT-02"], rows["LEG-PROC-02"]
    assert caught.value.problems == sorted(
        [
            f"Sheet 'Answers', row {r1}, column A (Indicator): unknown indicator 'XXX-YY-01'",
            f"Sheet 'Answers', row {r2}, column D (Level): level 7 is out of range (1 to 5 or N/A)",
            f"Sheet 'Answers', row {r2}, column E (Confidence): 'certain' is not a confidence "
            "(low, medium or high)",
            f"Sheet 'Answers', row {r3}, column B (Title): a locked cell was edited",
        ],
        key=lambda p: int(p.split("row ")[1].split(",")[0]),
    )
    assert _snapshot(review) == before


def test_other_files_are_refused(review: Review, assigned: Any, make_review: Any) -> None:
    with pytest.raises(excel.WorkbookError) as caught:
        excel.review_import(by=assigned, review=review, data=b"not a workbook")
    assert caught.value.problems == ["The file is not an Excel workbook (.xlsx)."]
    empty = io.BytesIO()
    Workbook().save(empty)
    with pytest.raises(excel.WorkbookError) as caught:
        excel.review_import(by=assigned, review=review, data=empty.getvalue())
    assert caught.value.problems == ["The workbook needs the sheets 'Review' and 'Answers'."]
    other = make_review(review.country, cycle=2018, state="scoring", reviewers=(assigned,))
    with pytest.raises(excel.WorkbookError) as caught:
        excel.review_import(by=assigned, review=other, data=excel.review_workbook(review))
    assert caught.value.problems == [
        "Sheet 'Review', row 2, column B: this workbook is for another review."
    ]


def test_a_newer_answer_is_never_overwritten_without_saying_so(
    review: Review, assigned: Any
) -> None:
    data = _edit(excel.review_workbook(review), {("INS-STRAT-01", "Level"): 4})
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    newer = services.answer_save(by=assigned, review=review, indicator=indicator, level=1)
    with pytest.raises(excel.WorkbookError) as caught:
        excel.review_import(by=assigned, review=review, data=data)
    [problem] = caught.value.problems
    assert problem.startswith("Sheet 'Answers', row 2, column J (Last changed on the platform): ")
    assert "INS-STRAT-01 was changed on the platform at" in problem
    assert Answer.objects.get(pk=newer.pk).level == 1
    result = excel.review_import(by=assigned, review=review, data=data, overwrite_newer=True)
    assert result.overwritten_newer == ["INS-STRAT-01"]
    assert Answer.objects.get(pk=newer.pk).level == 4


def test_the_round_trip_through_the_pages(review: Review, assigned: Any) -> None:
    web = login(Client(), assigned)
    download = web.get(f"/reviews/{review.pk}/workbook/")
    assert download.status_code == 200
    data = _edit(download.content, {("INS-STRAT-01", "Level"): 5})
    response = web.post(
        f"/reviews/{review.pk}/workbook/import/",
        {"file": SimpleUploadedFile("filled.xlsx", data)},
    )
    assert response.status_code == 200
    assert response.context["result"].changed == ["INS-STRAT-01"]
    fresh = web.get(f"/reviews/{review.pk}/workbook/").content
    bad = _edit(fresh, {("INS-STRAT-01", "Level"): 9})
    response = web.post(
        f"/reviews/{review.pk}/workbook/import/", {"file": SimpleUploadedFile("bad.xlsx", bad)}
    )
    assert response.status_code == 422
    assert response.context["problems"] == [
        "Sheet 'Answers', row 2, column D (Level): level 9 is out of range (1 to 5 or N/A)"
    ]
    assert Answer.objects.get(review=review, indicator__code="INS-STRAT-01").level == 5


def test_the_action_plan_sheet(review: Review, assigned: Any, make_user: Any) -> None:
    services.recommendations_generate(by=assigned, review=review)
    web = login(Client(), assigned)
    response = web.get(f"/reviews/{review.pk}/action-plan/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Action plan"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0][0] == "TLP:AMBER · Action plan: Thailand, review 2024"
    assert rows[2] == (
        "Recommendation",
        "Priority",
        "Horizon",
        "Responsible agency",
        "Linked indicators",
        "Topics",
        "Owner",
        "Due date",
        "Status",
    )
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    rule = indicator.rules[0]
    assert rows[3][:5] == (
        rule["text"].strip(),
        "High",
        "Medium term",
        "Ministry or government department",
        "INS-STRAT-01",
    )
    assert rows[3][6:] == (None, None, None)
    focal = login(Client(), make_user("focal_point", review.country))
    assert focal.get(f"/reviews/{review.pk}/action-plan/").status_code == 404
