"""A review mapped to the report's data contract (selectors.report_data_for_review)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from cybercap.reviews import services
from cybercap.reviews.models import Indicator, Review
from cybercap.reviews.report.data import AnswerStatus, Coverage, ReportState
from cybercap.reviews.report.docx import render_report_docx
from cybercap.reviews.selectors import report_data_for_review, review_scores
from tests.factories import AgencyFactory
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


def _score(review: Review, by: Any, levels: dict[str, int | str]) -> None:
    for code, level in levels.items():
        indicator = Indicator.objects.get(framework=review.framework, code=code)
        if level == "na":
            services.answer_save(by=by, review=review, indicator=indicator, not_applicable=True)
        else:
            services.answer_save(
                by=by,
                review=review,
                indicator=indicator,
                level=int(level),
                confidence="high",
                evidence=f"{code}: the decree was shown.",
            )


def test_a_review_becomes_report_data(make_review: Any, thailand: Any) -> None:
    assigned = reviewer("report-reviewer")
    before = make_review(thailand, cycle=2018, state="scoring", reviewers=(assigned,))
    _score(before, assigned, {"LEG-PROC-02": 1, "INS-STRAT-01": 2})
    Review.objects.filter(pk=before.pk).update(state="final")
    review = make_review(thailand, cycle=2024, state="scoring", reviewers=(assigned,))
    _score(review, assigned, {"LEG-PROC-02": 3, "INS-STRAT-01": 1, "INS-STRAT-02": "na"})
    services.recommendations_generate(by=assigned, review=review)
    services.consultation_add(
        by=assigned,
        review=review,
        date=before.created_at.date(),
        cluster="police",
        agencies=[AgencyFactory(country=thailand, name="Thai Police Cyber Unit")],
    )
    Review.objects.filter(pk=review.pk).update(state="country_validation")
    review.refresh_from_db()

    data = report_data_for_review(review)
    assert (data.country_code, data.cycle, data.tlp, data.state) == (
        "TH",
        2024,
        "AMBER",
        ReportState.DRAFT,
    )
    assert [p.key for p in data.pillars] == ["institutional", "legal", "operational", "technical"]
    findings = {f.id: f for f in data.indicators}
    assert len(findings) == 64
    assert (findings["LEG-PROC-02"].level, findings["LEG-PROC-02"].status) == (
        3,
        AnswerStatus.ANSWERED,
    )
    assert findings["INS-STRAT-02"].status == AnswerStatus.NOT_APPLICABLE
    statuses = [f.status for f in findings.values()]
    assert statuses.count(AnswerStatus.UNANSWERED) == 61
    assert findings["INS-STRAT-01"].gap == 2
    result = review_scores(review).result
    assert data.overall.value == round(result.overall.score, 2)  # type: ignore[arg-type]
    assert (data.overall.answered, data.overall.not_applicable, data.overall.total) == (2, 1, 64)
    assert [(r.indicators, r.priority) for r in data.recommendations] == [
        (("INS-STRAT-01",), "high")
    ]
    assert data.profile.consultations == 1
    assert [a.name for a in data.profile.agencies] == ["Thai Police Cyber Unit"]
    assert data.profile.reviewers == (str(assigned),)
    legal = [row for row in data.legislation if "LEG-PROC-02" in [i.id for i in row.indicators]]
    assert legal and all(row.status in set(Coverage) for row in legal)
    assert data.progress is not None
    assert data.progress.previous_cycle == 2018
    rows = {r.indicator_id: r for r in data.progress.rows}
    assert (rows["LEG-PROC-02"].previous_level, rows["LEG-PROC-02"].change) == (1, 2)
    assert (rows["INS-STRAT-01"].previous_level, rows["INS-STRAT-01"].change) == (2, -1)
    assert data.levels[0][0] == 1
    # The other helper's Word renderer takes it as it is.
    document = Document(io.BytesIO(render_report_docx(data)))
    assert any("Thailand" in p.text for p in document.paragraphs)
