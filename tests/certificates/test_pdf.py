"""The PDF: the holder's name reads back in its script, with the code and the address to verify."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from cybercap.certificates.printing import certificate_pdf
from cybercap.certificates.services import issue_certificate
from tests.factories import AgencyFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    "name",
    [
        "สมชาย ใจดี",  # Thai
        "Nguyễn Thị Hằng",  # Vietnamese, with its diacritics
        "Đặng Văn Ánh",
        "សុខ ចាន់ថា",  # Khmer
        "ສົມພອນ ແກ້ວມະນີ",  # Lao
        "အောင် ကျော်",  # Myanmar
    ],
)
def test_the_name_reads_back_in_its_script(
    name: str, activity: Any, cambodia: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://cybercap.example.org"
    person = PersonFactory(agency=AgencyFactory(country=cambodia), full_name=name)
    cert = issue_certificate(
        holder_person=person,
        kind="attendance",
        title=activity.title,
        starts=activity.start_date,
        ends=activity.end_date,
        activity=activity,
    )
    text = _text(certificate_pdf(cert=cert))
    assert name in text
    assert cert.code in text
    assert f"https://cybercap.example.org/verify/{cert.code}" in text


def test_attendance_and_achievement_read_differently(
    attendance_cert: Callable[..., Any], activity: Any, people: dict[str, Any]
) -> None:
    attendance = _text(certificate_pdf(cert=attendance_cert("vn")))
    assert "Certificate of attendance" in attendance
    assert "Nguyễn Thị Hằng" in attendance
    assert "attended" in attendance
    assert "Mobile device forensics, level 2" in attendance
    assert "from 2 March 2026 to 4 March 2026, Bangkok, Thailand" in attendance
    assert "ASEAN Cyber Capacity Development Project" in attendance
    achievement = issue_certificate(
        holder_person=people["vn"],
        kind="achievement",
        title=activity.title,
        starts=activity.start_date,
        ends=activity.end_date,
        activity=activity,
    )
    text = _text(certificate_pdf(cert=achievement))
    assert "Certificate of achievement" in text
    assert "has successfully completed" in text
    assert achievement.code in text


def test_a_course_certificate_names_the_course(make_user: Callable[..., Any]) -> None:
    user = make_user("learner", first_name="Maria", last_name="Santos")
    cert = issue_certificate(
        holder_user=user,
        kind="achievement",
        title="First responders and digital evidence",
        starts=dt.date(2026, 1, 5),
        ends=dt.date(2026, 1, 5),
        course_key="first-responder",
    )
    text = _text(certificate_pdf(cert=cert))
    assert "has successfully completed the e-learning course" in text
    assert "First responders and digital evidence" in text
    assert "on 5 January 2026" in text
    assert "Maria Santos" in text


def test_no_other_personal_data_is_printed(attendance_cert: Callable[..., Any]) -> None:
    text = _text(certificate_pdf(cert=attendance_cert("th")))
    for private in ("somchai@example.org", "Thai Police Cyber Unit"):
        assert private not in text


def test_a_demo_activity_is_marked_synthetic(
    attendance_cert: Callable[..., Any], activity: Any
) -> None:
    activity.is_demo = True
    activity.save(update_fields=["is_demo"])
    text = _text(certificate_pdf(cert=attendance_cert("th")))
    assert "Demo data: this certificate, its holder and its activity are synthetic." in text
