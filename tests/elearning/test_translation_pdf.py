"""PDFs in Thai and Vietnamese: certificates and the pocket checklist read back in their script."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation
from pypdf import PdfReader

from cybercap.accounts.models import User
from cybercap.certificates.printing import certificate_pdf
from cybercap.certificates.services import issue_certificate
from cybercap.elearning.checklist import checklist_pdf
from tests.elearning.i18n_fixtures import COURSE, MARK, translated_content

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _read_back(text: str) -> str:
    """Thai SARA AM (U+0E33) is shaped as NIKHAHIT + SARA AA and its text mapping keeps only
    SARA AA: compare Thai with SARA AM read as SARA AA (the print itself is right)."""
    return text.replace("\u0e33", "\u0e32")


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("th", "การปฏิบัติเบื้องต้นต่อพยานหลักฐานดิจิทัล"),
        ("vi", "Xử lý ban đầu chứng cứ điện tử tại hiện trường"),
    ],
)
def test_a_course_certificate_reads_back_in_the_learner_s_script(
    language: str, title: str, make_user: Callable[..., User], settings: Any
) -> None:
    settings.SITE_URL = "https://cybercap.example.org"
    user = make_user("learner", language=language, first_name="Somchai", last_name="Test")
    cert = issue_certificate(
        holder_user=user,
        kind="achievement",
        title=title,
        starts=user.date_joined.date(),
        ends=user.date_joined.date(),
        course_key=COURSE,
        language=language,
    )
    text = _text(certificate_pdf(cert=cert))
    with translation.override(language):
        heading = translation.gettext("Certificate of achievement")
        completed = translation.gettext("has successfully completed the e-learning course")
    assert heading != "Certificate of achievement"  # the catalogue is compiled and used
    assert _read_back(heading) in text and _read_back(completed) in text
    assert _read_back(title) in text
    assert "Certificate of achievement" not in text


def test_the_pocket_checklist_reads_back_in_thai(tmp_path: Path, settings: Any) -> None:
    root = translated_content(tmp_path, files=("checklist.yaml",))
    settings.CONTENT_DIR = root
    source = yaml.safe_load(
        (root / "courses" / COURSE / "th" / "checklist.yaml").read_text(encoding="utf-8")
    )
    text = _text(checklist_pdf(course_key=COURSE, language="th"))
    assert source["title"].startswith(MARK) and source["title"].upper() in text
    assert source["pages"][0]["title"] in text
    first = source["pages"][0]["sections"][0]["lines"][0]
    assert first[:30] in text
