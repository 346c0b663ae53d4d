"""The donor report: Excel and PDF, from the dashboard and the command line, against the
hand-computed figures of the fixture in test_programme_dashboard.py."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from cybercap.activities import donor_report, programme
from cybercap.cli import main as cybercap_main
from tests.activities.test_programme_dashboard import ProgrammeWorld, programme_world

pytestmark = pytest.mark.django_db
__all__ = ["programme_world"]  # the fixture, imported for these tests

SHEETS = [
    "Summary",
    "Phases",
    "Activities",
    "By type",
    "By topic",
    "By country",
    "By agency type",
    "By gender",
    "Learning gain",
    "Feedback",
]


def _sheet(book: Any, name: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def _summary(book: Any) -> dict[str, Any]:
    return dict(_sheet(book, "Summary")[1:])


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


# --- Excel --------------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_section_with_headers_and_the_figures(
    programme_world: ProgrammeWorld,
) -> None:
    content = donor_report.render(programme.indicators(programme.scope_all()), "xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == SHEETS
    summary = _summary(book)
    assert summary["Activities"] == 3
    assert summary["Activities delivered"] == 2
    assert summary["Unique participants"] == 4
    assert summary["Participations (person x activity)"] == 5
    assert summary["Trainers and experts"] == 3
    assert summary["Countries represented"] == 2
    assert summary["Female participants (share)"] == 0.75
    assert summary["Attendance rate"] == pytest.approx(7 / 9)
    assert book["Summary"]["B9"].number_format == "0.0%"
    assert _sheet(book, "Phases") == [
        (
            "Phase",
            "Activities",
            "Delivered",
            "Unique participants",
            "Participations",
            "Countries",
            "Trainers and experts",
            "Attendance rate",
        ),
        (1, 2, 2, 4, 5, 2, 3, pytest.approx(7 / 9)),
        (2, 1, 0, 0, 0, 0, 1, None),
    ]
    assert _sheet(book, "By country") == [
        ("Code", "Country", "Unique participants", "Participations"),
        ("TH", "Thailand", 3, 4),
        ("VN", "Viet Nam", 1, 1),
    ]
    assert _sheet(book, "By gender") == [
        ("Gender", "Unique participants", "Participations", "Share"),
        ("Female", 3, 4, 0.75),
        ("Male", 1, 1, 0.25),
    ]
    assert _sheet(book, "By agency type")[1:] == [
        ("Police cybercrime unit", 3, 4),
        ("CERT / CSIRT", 1, 1),
    ]
    assert _sheet(book, "By type")[1:] == [
        ("Specialised training", 2),
        ("Best-practice workshop", 1),
    ]
    activities = _sheet(book, "Activities")
    assert activities[0][:3] == ("Title", "Type", "Phase")
    by_title = {row[0]: row for row in activities[1:]}
    assert by_title["A1 forensics"][9:] == (2, 3, 2, pytest.approx(5 / 6))
    assert by_title["A3 malware"][12] is None
    assert book["Activities"].freeze_panes == "A2"
    assert summary["Matched pre/post pairs"] == 4
    assert summary["Drop-outs (no matched pair)"] == 1
    assert summary["Perfect pre-tests (gain undefined)"] == 1
    assert summary["Mean absolute gain"] == pytest.approx(0.2625)
    assert summary["Mean normalised gain (Hake)"] == pytest.approx(5 / 9)
    assert summary["Feedback responses"] == 3
    assert summary["Mean feedback rating (1 to 5)"] == pytest.approx(4.25)
    gain = _sheet(book, "Learning gain")
    assert gain[0] == (
        "Group",
        "Matched pairs",
        "Drop-outs",
        "Mean pre-test",
        "Mean post-test",
        "Mean absolute gain",
        "Mean normalised gain",
        "Undefined (perfect pre-test)",
    )
    assert gain[1] == (
        "All activities",
        4,
        1,
        pytest.approx(0.525),
        pytest.approx(0.7875),
        pytest.approx(0.2625),
        pytest.approx(5 / 9),
        1,
    )
    assert [(row[0], row[1], row[2]) for row in gain[2:]] == [
        ("Digital forensics", 4, 1),
        ("Malware analysis", 1, 1),
        ("Thailand", 3, 1),
        ("Viet Nam", 1, 0),
        ("Female", 3, 1),
        ("Male", 1, 0),
    ]
    assert _sheet(book, "Feedback") == [
        ("Question", "Mean rating (1 to 5)", "Responses"),
        ("The training met my needs", 4.0, 3),
        ("The trainers explained clearly", 5.0, 1),
    ]


def test_the_phase_and_the_country_slice_reach_the_workbook(
    programme_world: ProgrammeWorld, make_user: Any, thailand: Any
) -> None:
    phase_two = load_workbook(
        io.BytesIO(donor_report.render(programme.indicators(programme.scope_all(phase=2)), "xlsx"))
    )
    assert _summary(phase_two)["Scope"] == "phase 2"
    assert _summary(phase_two)["Activities"] == 1
    focal = make_user("focal_point", thailand)
    sliced = load_workbook(
        io.BytesIO(
            donor_report.render(programme.indicators(programme.scope_for_user(user=focal)), "xlsx")
        )
    )
    assert _sheet(sliced, "By country")[1:] == [("TH", "Thailand", 3, 4)]
    assert _summary(sliced)["Attendance rate"] == pytest.approx(5 / 6)
    assert _sheet(sliced, "Learning gain")[1][:3] == ("Thailand", 3, 1)
    assert "Feedback" not in sliced.sheetnames
    # Viet Nam appears once: as the host of A2 (an activity the focal point sees), never as a
    # participant's country; no Vietnamese person is named anywhere.
    found = [
        (ws.title, cell.column_letter)
        for ws in sliced
        for row in ws.iter_rows()
        for cell in row
        if "Viet" in str(cell.value) or "Nguyễn" in str(cell.value) or "Trần" in str(cell.value)
    ]
    assert found == [("Activities", "G")]
    assert sliced["Activities"]["G1"].value == "Host country"


# --- PDF ----------------------------------------------------------------------------------------


def test_the_pdf_states_the_same_figures(programme_world: ProgrammeWorld) -> None:
    content = donor_report.render(programme.indicators(programme.scope_all()), "pdf")
    assert content.startswith(b"%PDF-")
    text = _pdf_text(content)
    assert "Donor report: programme indicators" in text
    assert "Unique participants 4" in text
    assert "Trainers and experts 3" in text
    assert "Countries represented 2" in text
    assert "Attendance rate 77.8 %" in text
    assert "Female participants (share) 75.0 %" in text
    assert "Thailand 3 4" in text
    assert "Viet Nam 1 1" in text
    assert "Mean absolute gain 26.2 %" in text
    assert "Mean normalised gain (Hake) 0.56 (1 perfect pre-test, gain undefined)" in text
    assert "Mean feedback rating (1 to 5) 4.25" in text
    assert "A3 malware Specialised training 2" in text
    assert "Bangkok Reported 3 83.3 %" in text  # A1: 5 of 6 sessions attended
    assert "Bangkok Reported 2 66.7 %" in text  # A2: 2 of 3


# --- from the dashboard -------------------------------------------------------------------------


def test_staff_download_both_forms_from_the_dashboard(
    programme_world: ProgrammeWorld, client_for: Any
) -> None:
    client = client_for("staff")
    page = client.get("/activities/programme/?phase=1").content.decode()
    assert 'href="/activities/programme/donor-report.xlsx?phase=1"' in page
    xlsx = client.get("/activities/programme/donor-report.xlsx?phase=1")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="donor-report-phase-1.xlsx"'
    assert _summary(load_workbook(io.BytesIO(xlsx.content)))["Activities"] == 2
    pdf = client.get("/activities/programme/donor-report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Unique participants 4" in _pdf_text(pdf.content)


def test_a_thai_focal_point_downloads_only_the_thai_slice(
    programme_world: ProgrammeWorld, client_for: Any, thailand: Any
) -> None:
    client = client_for("focal_point", thailand)
    response = client.get("/activities/programme/donor-report.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="donor-report-TH.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert _summary(book)["Unique participants"] == 3
    text = _pdf_text(client.get("/activities/programme/donor-report.pdf").content)
    assert "Viet Nam" not in text
    assert "Unique participants 3" in text


@pytest.mark.parametrize("role", ["trainer", "learner", "investigator"])
def test_other_roles_cannot_download(
    programme_world: ProgrammeWorld, client_for: Any, role: str, thailand: Any
) -> None:
    client = client_for(role, thailand if role == "investigator" else None)
    assert client.get("/activities/programme/donor-report.xlsx").status_code == 403
    assert client.get("/activities/programme/donor-report.pdf").status_code == 403


# --- from the command line ----------------------------------------------------------------------


def test_the_command_writes_the_workbook(programme_world: ProgrammeWorld, tmp_path: Path) -> None:
    output = tmp_path / "report.xlsx"
    out = io.StringIO()
    call_command(
        "activities",
        "donor-report",
        "--format",
        "xlsx",
        "--output",
        str(output),
        "--phase",
        "1",
        stdout=out,
    )
    assert out.getvalue().startswith(f"{output}: donor report, phase 1 (xlsx, ")
    assert "2 activities, 4 participants, 2 countries" in out.getvalue()
    summary = _summary(load_workbook(output))
    assert (summary["Activities"], summary["Unique participants"]) == (2, 4)


def test_the_cybercap_command_writes_the_pdf(
    programme_world: ProgrammeWorld, tmp_path: Path
) -> None:
    output = tmp_path / "report.pdf"
    assert (
        cybercap_main(["activities", "donor-report", "--format", "pdf", "--output", str(output)])
        == 0
    )
    text = _pdf_text(output.read_bytes())
    assert "Unique participants 4" in text
    assert "Activities 3" in text


def test_the_command_refuses_an_empty_phase_and_an_unknown_format(
    programme_world: ProgrammeWorld, tmp_path: Path
) -> None:
    with pytest.raises(
        CommandError, match=r"no activity in phase 7 \(phases with activities: 1, 2\)"
    ):
        call_command(
            "activities",
            "donor-report",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x"),
            "--phase",
            "7",
        )
    assert not (tmp_path / "x").exists()
    with pytest.raises(CommandError):
        call_command(
            "activities", "donor-report", "--format", "docx", "--output", str(tmp_path / "y")
        )


def test_a_long_activity_list_is_counted_in_the_pdf_and_listed_in_the_workbook(
    programme_world: ProgrammeWorld, monkeypatch: Any
) -> None:
    monkeypatch.setattr(donor_report, "PDF_ACTIVITY_LIMIT", 2)
    ind = programme.indicators(programme.scope_all())
    text = _pdf_text(donor_report.render(ind, "pdf"))
    assert "3 activities: more than 2, so they are counted here by phase and type" in text
    assert "1 Best-practice workshop 1" in text
    assert "1 Specialised training 1" in text
    assert "2 Specialised training 1" in text
    assert "A3 malware" not in text
    book = load_workbook(io.BytesIO(donor_report.render(ind, "xlsx")))
    assert len(_sheet(book, "Activities")) == 4
