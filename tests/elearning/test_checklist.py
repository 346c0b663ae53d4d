"""The pocket checklist PDF: one page per section, from the CLI and from the course page."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pypdf import PdfReader

from cybercap.accounts.models import User
from tests.conftest import login
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

SOURCE = Path(settings.CONTENT_DIR) / "courses" / COURSE_KEY / "en" / "checklist.yaml"


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _check(data: bytes) -> None:
    checklist = yaml.safe_load(SOURCE.read_text("utf-8"))
    pages = _pages(data)
    assert len(pages) == len(checklist["pages"]) == 3
    for text, page in zip(pages, checklist["pages"], strict=True):
        flat = _squash(text)
        assert _squash(page["title"]) in flat
        for section in page["sections"]:
            assert _squash(section["heading"]) in flat
            for line in section["lines"]:
                assert _squash(line) in flat, line
        assert _squash(checklist["footer"]) in flat
    # Each section is on its own page, not the next one's.
    assert "Faraday bag + power bank" not in _squash(pages[0])
    assert "Pull the power cable" not in _squash(pages[2])


def test_the_cli_writes_one_page_per_section(tmp_path: Path) -> None:
    output = tmp_path / "checklist.pdf"
    out = io.StringIO()
    call_command("elearning", "checklist", "--output", str(output), "--language", "en", stdout=out)
    assert out.getvalue().startswith(f"{output}: pocket checklist, ")
    _check(output.read_bytes())


def test_an_unknown_language_is_a_clear_error(tmp_path: Path) -> None:
    output = tmp_path / "checklist.pdf"
    with pytest.raises(CommandError, match="first-responder has no 'xx' version"):
        call_command("elearning", "checklist", "--output", str(output), "--language", "xx")
    assert not output.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("loaded_course")
def test_learners_download_it_from_the_course_page(make_user: Callable[..., User]) -> None:
    client = login(Client(), make_user("learner"))
    page = client.get(f"/learn/{COURSE_KEY}/").content.decode()
    assert f'href="/learn/{COURSE_KEY}/checklist.pdf"' in page
    response = client.get(f"/learn/{COURSE_KEY}/checklist.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="first-responder-checklist-en.pdf"'
    )
    _check(response.content)
    assert client.get("/learn/no-such-course/checklist.pdf").status_code == 404


@pytest.mark.django_db
def test_other_roles_may_not(client_for: Callable[..., Client], thailand: Any) -> None:
    assert client_for("trainer").get(f"/learn/{COURSE_KEY}/checklist.pdf").status_code == 403
    anonymous = Client().get(f"/learn/{COURSE_KEY}/checklist.pdf")
    assert anonymous.status_code == 302
