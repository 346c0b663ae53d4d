"""The tailored report on the web: the page and the PDF, Word and HTML files, scoped like the
review; files rendered once per distinct content; fixed query counts."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
import pypdf
import pytest
from django.core.cache import cache
from django.test import Client

from cybercap.reviews import services
from cybercap.reviews.models import Indicator
from cybercap.reviews.report import export
from tests.conftest import login
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def client(user: Any) -> Client:
    return login(Client(), user)


def test_a_focal_point_reads_and_downloads_the_final_report_of_its_own_country_only(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any
) -> None:
    th = make_review(thailand, state="final")
    vn = make_review(vietnam, state="final")
    focal = client(make_user("focal_point", thailand))
    page = focal.get(f"/reviews/{th.pk}/report/")
    assert page.status_code == 200
    body = page.content.decode()
    for heading in ("Executive summary", "Legislation map", "Annex: every indicator"):
        assert f"<h2>{heading}</h2>" in body
    assert "TLP:AMBER" in body
    pdf = focal.get(f"/reviews/{th.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="ncr-TH-{th.cycle}-final.pdf"'
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Thailand" in text
    word = focal.get(f"/reviews/{th.pk}/report.docx")
    headings = [
        p.text
        for p in docx.Document(io.BytesIO(word.content)).paragraphs
        if p.style.name == "Heading 1"
    ]
    assert "Legislation map" in headings
    for url in (f"/reviews/{vn.pk}/report/", f"/reviews/{vn.pk}/report.pdf"):
        assert focal.get(url).status_code == 404


def test_in_validation_the_focal_point_reads_the_draft_but_downloads_nothing(
    make_review: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    assigned = reviewer("report-reviewer")
    review = make_review(thailand, state="country_validation", reviewers=(assigned,))
    focal = client(make_user("focal_point", thailand))
    page = focal.get(f"/reviews/{review.pk}/report/")
    assert page.status_code == 200
    assert f"/reviews/{review.pk}/report.pdf" not in page.content.decode()
    assert focal.get(f"/reviews/{review.pk}/report.pdf").status_code == 403
    assert client(assigned).get(f"/reviews/{review.pk}/report.pdf").status_code == 200
    assert client(make_user("trainer")).get(f"/reviews/{review.pk}/report/").status_code == 404


def test_a_red_review_report_is_for_the_named_users_only(
    make_review: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    named = make_user("staff", username="named-staff")
    review = make_review(thailand, state="final", tlp="RED", named=(named,))
    assert client(make_user("staff")).get(f"/reviews/{review.pk}/report/").status_code == 404
    assert (
        client(make_user("focal_point", thailand))
        .get(f"/reviews/{review.pk}/report.pdf")
        .status_code
        == 404
    )
    page = client(named).get(f"/reviews/{review.pk}/report/")
    assert page.status_code == 200
    assert "TLP:RED" in page.content.decode()


def test_a_report_file_is_rendered_once_per_content(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, monkeypatch: Any
) -> None:
    staff = make_user("staff")
    review = make_review(thailand, state="scoring")
    renders: list[str] = []
    real = export.render_report

    def counting(data: Any, fmt: Any) -> bytes:
        renders.append(fmt)
        return real(data, fmt)

    monkeypatch.setattr(export, "render_report", counting)
    web = client(staff)
    first = web.get(f"/reviews/{review.pk}/report.html")
    second = web.get(f"/reviews/{review.pk}/report.html")
    assert first.content == second.content
    assert renders == ["html"]
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    services.answer_save(by=staff, review=review, indicator=indicator, level=4)
    third = web.get(f"/reviews/{review.pk}/report.html")
    assert renders == ["html", "html"]
    assert third.content != first.content
    web.get(f"/reviews/{review.pk}/report.docx")
    assert renders == ["html", "html", "docx"]


@pytest.mark.parametrize("answers", [1, 3])
def test_the_report_page_takes_a_fixed_number_of_queries(
    answers: int,
    make_review: Any,
    thailand: Any,
    django_assert_num_queries: Any,
) -> None:
    assigned = reviewer("query-reviewer")
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    for indicator in Indicator.objects.filter(framework=review.framework)[:answers]:
        services.answer_save(by=assigned, review=review, indicator=indicator, level=1)
    services.recommendations_generate(by=assigned, review=review)
    web = client(assigned)
    web.get(f"/reviews/{review.pk}/report/")
    # The same number whatever the answers and recommendations: the session and grants, the
    # review, its framework tree, answers, targets, recommendations, consultations, profile.
    with django_assert_num_queries(18):
        response = web.get(f"/reviews/{review.pk}/report/")
    assert response.context["data"].overall.answered == answers


def test_the_report_page_queries_stay_fixed_as_reviews_multiply(
    make_review: Any, thailand: Any, vietnam: Any
) -> None:
    """Earlier cycles of the country (the progress section) and other countries' reviews."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assigned = reviewer("multiply-reviewer")
    indicators = list(Indicator.objects.filter(framework__isnull=False)[:3])

    def review_with_answers(country: Any, cycle: int, state: str) -> Any:
        review = make_review(country, cycle=cycle, state="scoring", reviewers=(assigned,))
        for indicator in indicators:
            services.answer_save(by=assigned, review=review, indicator=indicator, level=2)
        if state != "scoring":
            type(review).objects.filter(pk=review.pk).update(state=state)
        return review

    current = review_with_answers(thailand, 2024, "scoring")
    review_with_answers(thailand, 2018, "final")
    web = client(assigned)
    url = f"/reviews/{current.pk}/report/"
    web.get(url)
    with CaptureQueriesContext(connection) as few:
        assert web.get(url).status_code == 200
    for cycle in (2019, 2020, 2021):
        review_with_answers(thailand, cycle, "final")
        review_with_answers(vietnam, cycle, "final")
    with CaptureQueriesContext(connection) as many:
        response = web.get(url)
    assert response.status_code == 200
    assert response.context["data"].progress is not None
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
