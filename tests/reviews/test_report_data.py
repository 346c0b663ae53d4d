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
from cybercap.reviews.selectors import report_data_for_review, review_progress, review_scores
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


def test_progress_compares_across_framework_versions_through_the_mapping(
    framework: Any, make_review: Any, staff_user: Any, thailand: Any
) -> None:
    """A 2024 review on version 2 against a 2018 review on version 1: version 2 declares that
    LEG-PROC-02 merges version 1's LEG-PROC-02 and LEG-PROC-03 (compared with the weaker)."""
    from dataclasses import replace

    from cybercap.core import audit
    from cybercap.reviews.content import framework_store
    from cybercap.reviews.framework_schema import MappingEntry, VersionMapping
    from cybercap.reviews.models import ReviewState
    from tests.reviews.conftest import parsed_framework

    v1 = parsed_framework()
    mapping = VersionMapping(
        previous_version=1,
        indicators=[
            MappingEntry(
                id="LEG-PROC-02", previous=["LEG-PROC-02", "LEG-PROC-03"], relation="merged"
            )
        ],
    )
    with audit.suspended():
        v2 = framework_store(
            replace(v1, meta=v1.meta.model_copy(update={"version": 2, "mapping": mapping})),
            {"created": 0, "updated": 0, "retired": 0},
        )
    assert v2.pk != framework.pk
    assigned = reviewer("version-reviewer")
    before = make_review(thailand, cycle=2018, state="scoring", reviewers=(assigned,))
    _score(before, assigned, {"LEG-PROC-02": 4, "LEG-PROC-03": 1, "INS-STRAT-01": 2})
    Review.objects.filter(pk=before.pk).update(state=ReviewState.FINAL)
    after = services.review_open(
        by=staff_user, country=thailand, cycle=2024, framework=v2, reviewers=(assigned,)
    )
    Review.objects.filter(pk=after.pk).update(state=ReviewState.SCORING)
    after.refresh_from_db()
    _score(after, assigned, {"LEG-PROC-02": 3, "INS-STRAT-01": 3})

    # The comparison the report's progress section and the two-cycle view use (the report
    # itself also reads the version's files for its text, which exist only for version 1).
    progress = review_progress(after, before)
    assert progress.previous_cycle == 2018
    assert progress.previous_framework_version == 1
    rows = {r.indicator_id: r for r in progress.rows}
    merged = rows["LEG-PROC-02"]
    assert (merged.relation, merged.previous_ids) == ("merged", ("LEG-PROC-02", "LEG-PROC-03"))
    assert (merged.previous_level, merged.current_level, merged.change) == (1, 3, 2)
    same = rows["INS-STRAT-01"]
    assert (same.relation, same.previous_level, same.current_level) == ("equivalent", 2, 3)
    assert len(rows) == v2.indicators.count()
